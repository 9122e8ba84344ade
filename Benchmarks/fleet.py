#!/usr/bin/env python3
"""Fleet benchmark (issue 11). Prints figures; asserts nothing. Release builds with the static stdlib (built on first use).

1. `rotate -A --if-expires-within 10d --no-wait` over 200 gateways in 20 namespaces, exactly 50 of them expiring
   within 10 days (`up --scenario many --expiring 50`): wall time (median of BENCH_RUNS runs, a fresh sandbox for
   each, since a run rotates them), HTTP requests by server from the sandbox's request log, peak RSS, and how many
   gateways were rotated (the plugin's own `-o json` results and the `generateToken` calls; both must be 50).
   Target: <= 2 s on this machine.
2. `status --contexts apimtoken-sandbox,apimtoken-sandbox-2,apimtoken-sandbox-3 -A -o json` over three clusters
   sharing one Azure (`up --clusters 3 --scenario many`, BENCH_STATUS_GATEWAYS gateways per cluster): wall time
   (median of BENCH_RUNS), requests by server and cluster, peak RSS; next to `kubectl get deploy,statefulset,daemonset
   -A -o json` run for each of the three contexts one after the other, for reference.

The sandbox's own time per request is not separated out; the request count, which does not depend on the machine's
load, is the figure to compare across changes."""
import collections, json, os, shutil, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sandbox import Sandbox, build, timed_rss

GATEWAYS, NAMESPACES, EXPIRING = 200, 20, 50
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
STATUS_GATEWAYS = int(os.environ.get("BENCH_STATUS_GATEWAYS", "300"))
STATUS_NAMESPACES = int(os.environ.get("BENCH_STATUS_NAMESPACES", "30"))
CONTEXTS = ["apimtoken-sandbox", "apimtoken-sandbox-2", "apimtoken-sandbox-3"]
TARGET_SECONDS = 2.0


def timed_rss_output(argv, env):
    """Like sandbox.timed_rss, but keeps stdout: (seconds, peak RSS MiB, exit code, stdout)."""
    with tempfile.NamedTemporaryFile("r") as report, tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        completed = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *argv], env=env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        report.seek(0)
        lines = report.read().strip().splitlines()
        out.seek(0)
        stdout = out.read()
    peak = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else float("nan")
    return elapsed, peak, completed.returncode, stdout


def by_server(entries):
    return dict(sorted(collections.Counter(e["server"] for e in entries).items()))


def rotate_benchmark(plugin, sandbox_binary):
    print(f"== rotate -A --if-expires-within 10d --no-wait: {GATEWAYS} gateways in {NAMESPACES} namespaces, "
          f"{EXPIRING} expiring within 10 days; {RUNS} runs, a fresh sandbox each")
    times, peaks = [], []
    for run in range(RUNS):
        box = Sandbox(sandbox_binary, "--scenario", "many", "--gateways", str(GATEWAYS), "--namespaces", str(NAMESPACES),
                      "--expiring", str(EXPIRING), "--rollout-step", "0.05", "--pod-start", "0.05", "--timeout", "300")
        try:
            before = len(box.requests())
            argv = [plugin, "rotate", "-A", "--if-expires-within", "10d", "--no-wait", "-l", "sp", "-o", "json"]
            seconds, rss, code, stdout = timed_rss_output(argv, box.env)
            entries = box.requests()[before:]
            generated = sum(1 for e in entries if e["path"].endswith("/generateToken"))
            try:
                results = json.loads(stdout)["results"]
            except (ValueError, KeyError, TypeError):
                results = []
            outcomes = dict(sorted(collections.Counter(r.get("result") for r in results).items()))
            times.append(seconds)
            peaks.append(rss)
            print(f"  run {run + 1}: exit {code}, {seconds:.2f} s, peak RSS {rss:.1f} MiB, {len(entries)} requests {by_server(entries)}")
            print(f"         results {outcomes}; generateToken calls {generated}"
                  f"{'' if outcomes.get('rotated') == EXPIRING == generated else f'  (expected {EXPIRING} rotated)'}")
        finally:
            box.down()
    median = statistics.median(times)
    print(f"  median wall time {median:.2f} s (min {min(times):.2f}, max {max(times):.2f}); peak RSS max {max(peaks):.1f} MiB")
    print(f"  target <= {TARGET_SECONDS:.0f} s: {'met' if median <= TARGET_SECONDS else 'not met'}")


def status_benchmark(plugin, sandbox_binary, kubectl):
    print(f"== status --contexts {','.join(CONTEXTS)} -A -o json: 3 clusters sharing one Azure, "
          f"{STATUS_GATEWAYS} gateways in {STATUS_NAMESPACES} namespaces each; {RUNS} runs")
    box = Sandbox(sandbox_binary, "--clusters", "3", "--scenario", "many", "--gateways", str(STATUS_GATEWAYS),
                  "--namespaces", str(STATUS_NAMESPACES), "--timeout", "600")
    try:
        ours, ours_rss, peer, peer_rss = [], [], [], []
        for run in range(RUNS):
            before = len(box.requests())
            seconds, rss, code, stdout = timed_rss_output([plugin, "status", "--contexts", ",".join(CONTEXTS), "-A", "-o", "json"], box.env)
            entries = box.requests()[before:]
            try:
                rows = json.loads(stdout)["gateways"]
            except (ValueError, KeyError, TypeError):
                rows = []
            per_context = dict(sorted(collections.Counter(r.get("context") for r in rows).items()))
            per_cluster = dict(sorted(collections.Counter(e.get("cluster") for e in entries if e["server"] == "kubernetes").items()))
            ours.append(seconds)
            ours_rss.append(rss)
            print(f"  status run {run + 1}: exit {code} (8/9 = expiring/expired tokens, expected), {seconds:.2f} s, peak RSS {rss:.1f} MiB, "
                  f"{len(entries)} requests {by_server(entries)}, Kubernetes by cluster {per_cluster}; rows by context {per_context}")

            total, peak, codes, requests = 0.0, 0.0, [], 0
            for context in CONTEXTS:
                before = len(box.requests())
                seconds, rss, code = timed_rss([kubectl, "--context", context, "get", "deploy,statefulset,daemonset", "-A", "-o", "json"], box.env)
                requests += len(box.requests()) - before
                total += seconds
                peak = max(peak, rss)
                codes.append(code)
            peer.append(total)
            peer_rss.append(peak)
            print(f"  kubectl run {run + 1}: exits {codes}, {total:.2f} s for the three, peak RSS {peak:.1f} MiB, {requests} requests")
        ratio = statistics.median(ours) / statistics.median(peer)
        print(f"  status median {statistics.median(ours):.2f} s, peak RSS max {max(ours_rss):.1f} MiB")
        print(f"  kubectl get deploy,statefulset,daemonset x3 median {statistics.median(peer):.2f} s, peak RSS max {max(peer_rss):.1f} MiB")
        print(f"  status / kubectl: {ratio:.2f}x")
    finally:
        box.down()


def main():
    started = time.time()
    plugin, sandbox_binary = build()
    print(f"release build (static stdlib): {time.time() - started:.0f} s")
    kubectl = shutil.which("kubectl") or "/usr/bin/kubectl"
    rotate_benchmark(plugin, sandbox_binary)
    status_benchmark(plugin, sandbox_binary, kubectl)


if __name__ == "__main__":
    main()
