#!/usr/bin/env python3
"""Fleet benchmark: `rotate -A --if-expires-within 7d --no-wait` over 200 gateways in 20 namespaces (the `many`
scenario: token lifetimes 1..29 days, so 49 of them expire within 7 days), with 4 and 8 in parallel. Prints wall time,
HTTP requests by server, and peak RSS; asserts nothing. Release builds (built on first use).

The sandbox's own time per request is not separated out here; the request count, which does not depend on the
machine's load, is the figure to compare across changes."""
import collections, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sandbox import Sandbox, build, timed_rss

GATEWAYS, NAMESPACES = 200, 20


def main():
    plugin, sandbox_binary = build()
    for parallel in ["4", "8"]:
        box = Sandbox(sandbox_binary, "--scenario", "many", "--gateways", str(GATEWAYS), "--namespaces", str(NAMESPACES),
                      "--rollout-step", "0.05", "--pod-start", "0.05", "--timeout", "300")
        try:
            before = len(box.requests())
            argv = [plugin, "rotate", "-A", "--if-expires-within", "7d", "--no-wait", "--parallel", parallel, "-l", "sp", "-o", "json"]
            seconds, rss, code = timed_rss(argv, box.env)
            entries = box.requests()[before:]
            rotated = sum(1 for e in entries if e["path"].endswith("/generateToken"))
            by_server = collections.Counter(e["server"] for e in entries)
            print(f"rotate -A --if-expires-within 7d --no-wait --parallel {parallel}: exit {code}")
            print(f"  gateways: {GATEWAYS} in {NAMESPACES} namespaces; rotated (generateToken calls): {rotated}")
            print(f"  wall time: {seconds:.2f} s (target <= 2 s for 50 of 200)")
            print(f"  HTTP requests: {len(entries)} ({dict(by_server)})")
            print(f"  peak RSS: {rss:.1f} MiB")
        finally:
            box.down()


if __name__ == "__main__":
    main()
