#!/usr/bin/env python3
"""Issue 2 benchmark: release binary size (static Swift stdlib, stripped) and what dominates it,
start-up time and peak RSS of `--help`, and the linked libraries. Prints figures; asserts nothing."""
import os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(argv, **kw):
    return subprocess.run(argv, cwd=ROOT, check=True, text=True, capture_output=True, **kw).stdout


def measure(argv, repeat):
    """Median wall time (ms) and peak RSS (MiB) of `argv`.

    The peak RSS is read by /usr/bin/time: Linux carries the pre-exec memory of the spawning process into the
    child's maxrss, so measuring from this (large) Python process would overstate it."""
    times, peaks = [], []
    with tempfile.NamedTemporaryFile("r") as report:
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *argv], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append((time.perf_counter() - start) * 1000)
            report.seek(0)
            peaks.append(int(report.read().strip().splitlines()[-1]) / 1024)
    # /usr/bin/time itself adds its own exec to the wall time: subtract the median of timing /bin/true the same way.
    baseline = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", os.devnull, "/bin/true"], check=True)
        baseline.append((time.perf_counter() - start) * 1000)
    return statistics.median(times) - statistics.median(baseline), max(peaks)


def main():
    print("building: swift build -c release --product kubectl-apimtoken --static-swift-stdlib", flush=True)
    started = time.time()
    subprocess.run(["swift", "build", "-c", "release", "--product", "kubectl-apimtoken", "--static-swift-stdlib"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"  build took {time.time() - started:.0f} s")
    built = os.path.join(ROOT, ".build/release/kubectl-apimtoken")
    stripped = os.path.join(ROOT, ".build/release/kubectl-apimtoken.stripped")
    run(["strip", "-o", stripped, built])
    mib = lambda n: n / (1 << 20)
    print(f"\nbinary: {mib(os.path.getsize(built)):.1f} MiB unstripped, {mib(os.path.getsize(stripped)):.1f} MiB stripped")

    # What dominates: the largest symbols, grouped by origin.
    groups = {}
    for line in run(["nm", "--size-sort", "-S", "-C", built]).splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) < 4:
            continue
        size, name = int(parts[1], 16), parts[3]
        lowered = name.lower()
        if "icudt" in lowered:
            key = "ICU data (icudt*: only with full Foundation, which the plugin no longer links)"
        elif "icu" in lowered or name.startswith(("u_", "ucol", "ubrk", "uloc", "unum", "udat", "utrans")):
            key = "ICU code"
        elif "crypto" in lowered or "ssl" in lowered or "boringssl" in lowered or "CCryptoBoringSSL" in name:
            key = "swift-crypto / BoringSSL"
        elif "Foundation" in name:
            key = "FoundationEssentials"
        elif "yaml_" in name:
            key = "libyaml (should be none: it is loaded dynamically)"
        elif "ArgumentParser" in name:
            key = "swift-argument-parser"
        elif "APIMToken" in name:
            key = "kubectl-apimtoken's own code"
        elif name.startswith("$s") or "Swift" in name or "swift" in name:
            key = "Swift runtime and stdlib"
        else:
            key = "other"
        groups[key] = groups.get(key, 0) + size
    print("largest contributors (symbol sizes):")
    for key, size in sorted(groups.items(), key=lambda item: -item[1])[:8]:
        print(f"  {mib(size):7.1f} MiB  {key}")

    median, peak = measure([stripped, "--help"], 30)
    print(f"\n--help: median {median:.1f} ms over 30 runs (minus the cost of starting /bin/true the same way), peak RSS {peak:.1f} MiB   (targets: <= 10 ms, <= 15 MiB; Benchmarks/footprint.py measures it next to kubectl)")
    median, peak = measure([stripped, "status", "--help"], 30)
    print(f"status --help: median {median:.1f} ms, peak RSS {peak:.1f} MiB")

    print("\nlinked libraries (ldd):")
    for line in run(["ldd", stripped]).splitlines():
        print("  " + line.strip())


if __name__ == "__main__":
    main()
