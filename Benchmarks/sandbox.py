"""Shared helpers of the benchmarks: a sandbox started with `apimtoken-sandbox up`, its environment, timed runs."""
import json, os, shlex, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, ".build", "release")


def build():
    """Release builds of the plugin and the sandbox (the plugin without NIO, by --product), with the Swift standard
    library linked statically as the shipped binary is (and as Benchmarks/footprint.py builds, so neither rebuilds)."""
    for product in ["kubectl-apimtoken", "apimtoken-sandbox"]:
        subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", product], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    return os.path.join(BUILD, "kubectl-apimtoken"), os.path.join(BUILD, "apimtoken-sandbox")


class Sandbox:
    def __init__(self, sandbox_binary, *args):
        self.dir = tempfile.mkdtemp(prefix="apimtoken-bench-")
        self.binary = sandbox_binary
        subprocess.run([sandbox_binary, "up", "--dir", self.dir, *args], check=True, stdout=subprocess.DEVNULL)
        self.env = dict(os.environ)
        for key in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"]:
            self.env.pop(key, None)
        self.env["NO_PROXY"] = "127.0.0.1,localhost"
        with open(os.path.join(self.dir, "env")) as f:
            for line in f:
                if line.startswith("export "):
                    key, _, value = line[len("export "):].strip().partition("=")
                    self.env[key] = shlex.split(value)[0] if value else ""
        self.home = tempfile.mkdtemp(prefix="apimtoken-bench-home-")
        self.env["HOME"] = self.home

    def requests(self):
        with open(os.path.join(self.dir, "requests.jsonl")) as f:
            return [json.loads(line) for line in f if line.strip()]

    def down(self):
        subprocess.run([self.binary, "down", "--dir", self.dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.rmtree(self.home, ignore_errors=True)




def timed_rss(argv, env):
    """Runs argv; returns (seconds, peak RSS MiB, exit code). The peak RSS comes from /usr/bin/time, because Linux
    carries the spawning process's pre-exec memory into the child's maxrss."""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        completed = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *argv], env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        report.seek(0)
        lines = report.read().strip().splitlines()
    peak = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else float("nan")
    return elapsed, peak, completed.returncode


def median(values):
    return statistics.median(values)
