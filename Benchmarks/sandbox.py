"""Shared helpers of the benchmarks: a sandbox started with `apimtoken-sandbox up`, its environment, timed runs."""
import json, os, shlex, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, ".build", "release")


def build():
    """Release builds of the plugin and the sandbox (the plugin without NIO, by --product)."""
    for product in ["kubectl-apimtoken", "apimtoken-sandbox"]:
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
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
    """Runs argv with wait4 to read its own peak RSS; returns (seconds, peak RSS MiB, exit code)."""
    start = time.perf_counter()
    with open(os.devnull, "w") as null:
        pid = os.posix_spawn(argv[0], argv, env, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0), (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def median(values):
    return statistics.median(values)
