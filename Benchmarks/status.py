#!/usr/bin/env python3
"""Issue 5 benchmark: `status -A` on the `many` scenario against `kubectl get deploy,sts,ds,secrets -A -o json`
on the same sandbox, run alternately. Prints figures; asserts nothing."""
import os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sandbox import Sandbox, build, median, timed_rss

GATEWAYS = int(os.environ.get("BENCH_GATEWAYS", "2000"))
NAMESPACES = int(os.environ.get("BENCH_NAMESPACES", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def main():
    plugin, sandbox_binary = build()
    started = time.time()
    box = Sandbox(sandbox_binary, "--scenario", "many", "--gateways", str(GATEWAYS), "--namespaces", str(NAMESPACES),
                  "--timeout", "600")
    print(f"sandbox 'many' ({GATEWAYS} gateways, {NAMESPACES} namespaces) up in {time.time() - started:.0f} s")
    try:
        ours, theirs, rss, lists = [], [], [], None
        for index in range(RUNS):
            before = len(box.requests())
            seconds, peak, code = timed_rss([plugin, "status", "-A", "-o", "json"], box.env)
            if code not in (0, 8, 9):
                sys.exit(f"status failed with exit {code}")
            entries = box.requests()[before:]
            lists = [e["path"] for e in entries if e["method"] == "GET" and "/namespaces/" not in e["path"]]
            ours.append(seconds)
            rss.append(peak)
            home = box.env["HOME"]
            subprocess.run(["rm", "-rf", os.path.join(home, ".kube")])
            seconds, _, code = timed_rss(["/usr/bin/kubectl", "get", "deploy,sts,ds,secrets", "-A", "-o", "json"], box.env)
            if code != 0:
                sys.exit(f"kubectl failed with exit {code}")
            theirs.append(seconds)
        print(f"status -A -o json: median {median(ours) * 1000:.0f} ms, peak RSS {max(rss):.1f} MiB, "
              f"{len(entries)} requests, list calls: {len(lists)} {lists}")
        print(f"kubectl get deploy,sts,ds,secrets -A -o json: median {median(theirs) * 1000:.0f} ms")
        print(f"ratio status/kubectl: {median(ours) / median(theirs):.2f}x (target <= 1.0x), {RUNS} alternating runs")
    finally:
        box.down()


if __name__ == "__main__":
    main()
