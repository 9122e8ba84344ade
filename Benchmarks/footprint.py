#!/usr/bin/env python3
"""The footprint table (issue 12), every row measured side by side with its peer in one run on this machine:

  binary size                      the stripped static-stdlib release binary        vs the kubectl on PATH
  --help start-up / peak RSS       30 runs each, alternating                        vs `kubectl version --client`
  rotate --no-wait / peak RSS      5 fresh `demo` sandboxes                         vs the seeds' kubectl sequence (+ az start-up)
  status -A -o json / peak RSS     2,000 gateways in 10,000 namespaces, 5 runs      vs `kubectl get deploy,sts,ds,secrets -A -o json`

Each sandbox row also prints the sandbox's own handler time for the run's requests (its request log's
`milliseconds`), so that the product's share is visible. Prints figures; asserts nothing.
BENCH_GATEWAYS / BENCH_NAMESPACES / BENCH_RUNS shrink the status row for a quick look."""
import os, shutil, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sandbox import Sandbox, ROOT, build, timed_rss

GATEWAYS = int(os.environ.get("BENCH_GATEWAYS", "2000"))
NAMESPACES = int(os.environ.get("BENCH_NAMESPACES", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
MIB = 1 << 20


def prepare():
    """The release build (static stdlib, see sandbox.build) and a stripped copy of the plugin, as it ships."""
    started = time.time()
    plugin, sandbox_binary = build()
    print(f"release build (static stdlib): {time.time() - started:.0f} s")
    work = tempfile.mkdtemp(prefix="apimtoken-footprint-")
    stripped = os.path.join(work, "kubectl-apimtoken")
    subprocess.run(["strip", "-o", stripped, plugin], check=True)
    return stripped, sandbox_binary, work


def sandbox_ms(entries):
    return sum(e.get("milliseconds") or 0 for e in entries)


def row(name, ours, peer, target):
    print(f"| {name} | {ours} | {peer} | {target} |")


def main():
    kubectl = shutil.which("kubectl") or "/usr/bin/kubectl"
    plugin, sandbox_binary, work = prepare()
    rows = []

    # Binary size.
    ours_size, kubectl_size = os.path.getsize(plugin), os.path.getsize(os.path.realpath(kubectl))
    rows.append(("binary (static stdlib, stripped)", f"{ours_size / MIB:.1f} MiB", f"kubectl {kubectl_size / MIB:.1f} MiB",
                 "<= 25 MB (23.8 MiB)"))

    # Start-up: --help against kubectl version --client, alternating.
    baseline = statistics.median(timed_rss(["/bin/true"], os.environ)[0] for _ in range(30))
    help_times, help_rss, version_times, version_rss = [], [], [], []
    for _ in range(30):
        seconds, rss, _ = timed_rss([plugin, "--help"], os.environ)
        help_times.append(seconds - baseline); help_rss.append(rss)
        seconds, rss, _ = timed_rss([kubectl, "version", "--client"], os.environ)
        version_times.append(seconds - baseline); version_rss.append(rss)
    rows.append(("`--help` median / peak RSS",
                 f"{statistics.median(help_times) * 1000:.1f} ms / {max(help_rss):.1f} MiB",
                 f"`kubectl version --client` {statistics.median(version_times) * 1000:.1f} ms / {max(version_rss):.1f} MiB",
                 "<= 10 ms / <= 15 MiB"))
    print(f"start-up, net of starting /bin/true the same way ({baseline * 1000:.1f} ms): --help "
          f"{[round(t * 1000, 1) for t in sorted(help_times)[:5]]}… ms")

    # rotate --no-wait on fresh demo sandboxes, and the seeds' kubectl sequence on the same sandbox.
    rotate_times, rotate_rss, rotate_requests, rotate_sandbox, seed_times = [], [], [], [], []
    manifest = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo-token\n  namespace: apim\ntype: Opaque\nstringData:\n  value: GatewayKey x\n"
    steps = [["get", "-n", "apim", "secret", "demo-token", "-o", "jsonpath={.metadata.annotations.last-used-key}"],
             ["apply", "-n", "apim", "-f", "-"],
             ["annotate", "-n", "apim", "--overwrite", "secret", "demo-token", "last-used-key=primary"],
             ["rollout", "restart", "-n", "apim", "deployment/demo"]]
    for _ in range(5):
        box = Sandbox(sandbox_binary, "--scenario", "demo", "--rollout-step", "0.05", "--pod-start", "0.05")
        try:
            before = len(box.requests())
            seconds, rss, code = timed_rss([plugin, "rotate", "-n", "apim", "-l", "sp", "--no-wait"], box.env)
            if code != 0:
                sys.exit(f"rotate failed with exit {code}")
            entries = box.requests()[before:]
            rotate_times.append(seconds); rotate_rss.append(rss); rotate_requests.append(len(entries))
            rotate_sandbox.append(sandbox_ms(entries))
        finally:
            box.down()
        # A sandbox of its own: kubectl refuses a second `rollout restart` within the second of the first.
        box = Sandbox(sandbox_binary, "--scenario", "demo", "--rollout-step", "0.05", "--pod-start", "0.05")
        try:
            started = time.perf_counter()
            for step in steps:
                subprocess.run([kubectl, *step], env=box.env, input=manifest if step[0] == "apply" else None, text=True,
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            seed_times.append(time.perf_counter() - started)
        finally:
            box.down()
    seeds = statistics.median(seed_times)
    az = os.path.join(ROOT, ".venv-az", "bin", "az")
    seed_note = "kubectl get/apply/annotate/rollout restart"
    if os.path.exists(az):
        az_runs = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([az, "version", "-o", "none"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "AZURE_CORE_COLLECT_TELEMETRY": "false"})
            az_runs.append(time.perf_counter() - started)
        seeds += 4 * statistics.median(az_runs)
        seed_note += f" + 4 x az start-up ({statistics.median(az_runs) * 1000:.0f} ms)"
    else:
        seed_note += " (az not installed: .venv-az; its 4 start-ups are not counted)"
    rows.append(("`rotate --no-wait` median / peak RSS",
                 f"{statistics.median(rotate_times) * 1000:.0f} ms / {max(rotate_rss):.1f} MiB "
                 f"({statistics.median(rotate_requests):.0f} requests, sandbox {statistics.median(rotate_sandbox):.1f} ms of it)",
                 f"seeds' sequence >= {seeds * 1000:.0f} ms ({seed_note})", "<= 40 ms / <= 25 MiB"))

    # status -A -o json against kubectl on one big sandbox, alternating.
    started = time.time()
    box = Sandbox(sandbox_binary, "--scenario", "many", "--gateways", str(GATEWAYS), "--namespaces", str(NAMESPACES),
                  "--timeout", "900")
    print(f"sandbox 'many' ({GATEWAYS} gateways, {NAMESPACES} namespaces) up in {time.time() - started:.0f} s")
    try:
        ours, ours_rss, ours_sandbox, theirs, theirs_sandbox, requests = [], [], [], [], [], 0
        for _ in range(RUNS):
            before = len(box.requests())
            seconds, rss, code = timed_rss([plugin, "status", "-A", "-o", "json"], box.env)
            if code not in (0, 8, 9):
                sys.exit(f"status failed with exit {code}")
            entries = box.requests()[before:]
            requests = len(entries)
            ours.append(seconds); ours_rss.append(rss); ours_sandbox.append(sandbox_ms(entries))
            shutil.rmtree(os.path.join(box.env["HOME"], ".kube"), ignore_errors=True)
            before = len(box.requests())
            seconds, _, code = timed_rss([kubectl, "get", "deploy,sts,ds,secrets", "-A", "-o", "json"], box.env)
            if code != 0:
                sys.exit(f"kubectl failed with exit {code}")
            theirs.append(seconds); theirs_sandbox.append(sandbox_ms(box.requests()[before:]))
    finally:
        box.down()
    ratio = statistics.median(ours) / statistics.median(theirs)
    rows.append((f"`status -A -o json`, {GATEWAYS:,} gateways in {NAMESPACES:,} namespaces",
                 f"{statistics.median(ours):.2f} s / {max(ours_rss):.0f} MiB ({requests} requests, sandbox "
                 f"{statistics.median(ours_sandbox) / 1000:.2f} s of it); **{ratio:.2f}x** kubectl",
                 f"`kubectl get deploy,sts,ds,secrets -A -o json` {statistics.median(theirs):.2f} s (sandbox "
                 f"{statistics.median(theirs_sandbox) / 1000:.2f} s of it)", "<= 0.5x / <= 64 MiB"))
    shutil.rmtree(work, ignore_errors=True)

    print("\n| figure | kubectl-apimtoken | peer | target |\n|---|---|---|---|")
    for r in rows:
        row(*r)


if __name__ == "__main__":
    main()
