#!/usr/bin/env python3
"""Issue 5 benchmark: one `rotate` against the sandbox (HTTP requests excluding the rollout wait, wall time, peak RSS),
next to the sequence the seed scripts run (apim-shg-rotate: az login, az apim show, az rest x2, kubectl get, kubectl apply,
kubectl annotate, kubectl rollout restart). kubectl calls are timed for real against the same sandbox; each az call is
timed as its start-up (`az version`) from a throwaway virtualenv when one is installed, else reported as missing.
Prints figures; asserts nothing."""
import os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sandbox import Sandbox, build, median, timed_rss, ROOT

RUNS = 5


def main():
    plugin, sandbox_binary = build()
    kubectl = "/usr/bin/kubectl"
    results = {"requests": [], "wall": [], "rss": []}
    for _ in range(RUNS):
        box = Sandbox(sandbox_binary, "--scenario", "demo", "--rollout-step", "0.05", "--pod-start", "0.05")
        try:
            before = len(box.requests())
            # --no-wait: the request count and time exclude the rollout wait, as the target says.
            seconds, rss, code = timed_rss([plugin, "rotate", "-n", "apim", "-l", "sp", "--no-wait"], box.env)
            if code != 0:
                sys.exit(f"rotate failed with exit {code}")
            entries = box.requests()[before:]
            results["requests"].append(len(entries))
            results["wall"].append(seconds)
            results["rss"].append(rss)
            detail = [f"{e['server']}:{e['method']} {e['path'].split('/')[-1]}" for e in entries]
        finally:
            box.down()
    print(f"rotate (--no-wait, login sp), median of {RUNS} fresh sandboxes:")
    print(f"  HTTP requests: {median(results['requests'])}  (target <= 6)  {detail}")
    print(f"  wall time:     {median(results['wall']) * 1000:.0f} ms")
    print(f"  peak RSS:      {max(results['rss']):.1f} MiB")

    # The seeds' sequence against the same kind of sandbox.
    box = Sandbox(sandbox_binary, "--scenario", "demo", "--rollout-step", "0.05", "--pod-start", "0.05")
    try:
        env = dict(box.env)
        manifest = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo-token\n  namespace: apim\ntype: Opaque\nstringData:\n  value: GatewayKey x\n"
        steps = [
            ["get", "-n", "apim", "secret", "demo-token", "-o", "jsonpath={.metadata.annotations.last-used-key}"],
            ["apply", "-n", "apim", "-f", "-"],
            ["annotate", "-n", "apim", "--overwrite", "secret", "demo-token", "last-used-key=primary"],
            ["rollout", "restart", "-n", "apim", "deployment/demo"],
        ]
        kubectl_seconds = []
        for step in steps:
            start = time.perf_counter()
            subprocess.run([kubectl, *step], env=env, input=manifest if step[0] == "apply" else None, text=True,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kubectl_seconds.append(time.perf_counter() - start)
    finally:
        box.down()
    print("\nseed sequence (apim-shg-rotate):")
    for step, seconds in zip(steps, kubectl_seconds):
        print(f"  kubectl {step[0]:<8} {seconds * 1000:6.0f} ms (real, against the sandbox)")
    az = os.path.join(ROOT, ".venv-az", "bin", "az")
    if os.path.exists(az):
        az_runs = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([az, "version", "-o", "none"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "AZURE_CORE_COLLECT_TELEMETRY": "false", "AZURE_CONFIG_DIR": box.home})
            az_runs.append(time.perf_counter() - start)
        az_start = median(az_runs)
        print(f"  az start-up     {az_start * 1000:6.0f} ms each (az version, median of 3; network time not included) x 4 calls")
        seeds = sum(kubectl_seconds) + 4 * az_start
        ours = median(results["wall"])
        print(f"\nseed sequence lower bound: {seeds * 1000:.0f} ms; rotate: {ours * 1000:.0f} ms; ratio {seeds / ours:.1f}x (target >= 20x)")
    else:
        seeds = sum(kubectl_seconds)
        ours = median(results["wall"])
        print("  az: not installed (python3 -m venv .venv-az && .venv-az/bin/pip install azure-cli to include its start-up)")
        print(f"\nkubectl part of the seed sequence alone: {seeds * 1000:.0f} ms; rotate: {ours * 1000:.0f} ms; ratio {seeds / ours:.1f}x")


if __name__ == "__main__":
    main()
