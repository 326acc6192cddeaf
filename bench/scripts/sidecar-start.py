"""Spawn to /readyz and RSS at rest of sidecar builds, alternating them: each build is started RUNS times from an
empty working directory with one group, static discovery and the container image's GC settings; readiness is polled
every 0.5 ms, RSS read 5 s after ready. Every process started is killed by its id.
Usage: python3 bench/scripts/sidecar-start.py RUNS BINARY [BINARY ...]"""
import os
import socket
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compare"))
import compare  # noqa: E402


def ready(ip):
    try:
        with socket.create_connection((ip, 9090), timeout=1) as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return b" 200 " in s.recv(100)
    except OSError:
        return False


def measure(binary, ip, directory):
    config = compare.sidecar_config(ip, directory, ["kv"])
    started = time.monotonic()
    with compare.Server([binary, "--config", config], env=compare.CONTAINER_GC, cwd=directory) as server:
        while not ready(ip):
            if time.monotonic() - started > 20:
                raise TimeoutError(f"{binary} not ready after 20 s")
            time.sleep(0.0005)
        ready_ms = (time.monotonic() - started) * 1000
        time.sleep(5)
        return ready_ms, server.rss_bytes() / 2**20


runs, binaries = int(sys.argv[1]), sys.argv[2:]
results = {binary: [] for binary in binaries}
with tempfile.TemporaryDirectory() as directory:
    for run in range(runs):
        for index, binary in enumerate(binaries):
            results[binary].append(measure(binary, f"127.71.{run + 1}.{index + 1}", directory))
print("| build | spawn → /readyz ms, median (min–max) | RSS at rest MiB, median (min–max) |")
print("| --- | ---: | ---: |")
for binary, samples in results.items():
    ready_ms, rss = [s[0] for s in samples], [s[1] for s in samples]
    print(f"| {binary} | {statistics.median(ready_ms):.0f} ({min(ready_ms):.0f}–{max(ready_ms):.0f}) "
          f"| {statistics.median(rss):.1f} ({min(rss):.1f}–{max(rss):.1f}) |")
