#!/usr/bin/python3
"""K8sCache side by side with groupcache, Redis, Garnet and memcached, on this machine, in one run.

Every server binds a loopback address and is started and stopped by this script (by the PID it started). Throughput
workloads alternate the systems A/B/A/B and report the median and min-max of the runs and the ratio computed pair by
pair. Writes a markdown report (default: the "Side by side" section of docs/benchmarks.md), one marked section per
workload, so a run of some workloads replaces only their sections.
Usage: /usr/bin/python3 bench/compare/compare.py [--runs 3] [--quick] [--only NAME ...] [--out FILE]
"""
import argparse
import concurrent.futures
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, "bench", "compare", ".build")
# Built by run.sh under the benchmarks' own build root, apart from the test suite's folders.
SIDECAR_DLL = os.path.join(ROOT, "artifacts", "bench", "bin", "K8sCache.Sidecar", "release", "k8scache-sidecar.dll")
TRIMMED = os.path.join(ROOT, "artifacts", "bench", "publish", "sidecar", "k8scache-sidecar")
TRIMMED_R2R = os.path.join(BUILD, "sidecar-r2r", "k8scache-sidecar")
BENCH = ["dotnet", os.path.join(ROOT, "artifacts", "bench", "bin", "K8sCache.Benchmarks", "release", "K8sCache.Benchmarks.dll")]
GROUPCACHE = os.path.join(BUILD, "groupcache-node")
GARNET = os.path.join(BUILD, "tools", "garnet-server")
CONTAINER_GC = {"DOTNET_gcServer": "0", "DOTNET_GCConserveMemory": "5", "DOTNET_GCgen0size": "200000", "DOTNET_TieredPGO": "1"}


class Server:
    """A process this script started; stopping kills exactly it."""

    def __init__(self, args, env=None, name="", cwd=None):
        self.name = name
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd,
                                        env={**os.environ, **(env or {})})

    def rss_bytes(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.stop()


def wait_until(check, timeout=30.0):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.005)
    raise TimeoutError("server did not become ready")


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def http_get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def tcp_answers(host, port, send, expect):
    with socket.create_connection((host, port), timeout=1) as s:
        s.sendall(send)
        return expect in s.recv(100)


def wrk(url, script, env, seconds, connections=50):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url],
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return {"rps": rps, "p50": latency(50), "p99": latency(99), "errors": int(errors.group(1)) if errors else 0}


def sidecar_config(ip, directory, groups, loader=None, discovery=None, resp_port=None):
    token = os.path.join(directory, "token")
    with open(token, "w") as f:
        f.write("bench-token-0123456789abcdef")
    group_list = [{"Name": g, "MaxBytes": "1Gi"} for g in groups]
    if loader:
        group_list[0]["Loader"] = {"Url": loader, "Timeout": "10s"}
    config = {"K8sCache": {
        "Self": f"{ip}:7070", "PeerAddress": f"{ip}:7070", "ApiAddress": f"{ip}:7071", "GrpcAddress": f"{ip}:7072",
        "AdminAddress": f"{ip}:9090", "PeerTokenFile": token, "PeerTimeout": "10s", "DiscoveryInterval": "500ms",
        "Discovery": discovery or f"static:///{ip}:7070",
        "RespAddress": f"{ip}:{resp_port}" if resp_port else "",
        "Limits": {"MaxValueBytes": 1048576}, "Groups": group_list}}
    path = os.path.join(directory, f"{ip}.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def start_sidecar(ip, directory, groups, loader=None, discovery=None, binary=None, resp_port=None):
    config = sidecar_config(ip, directory, groups, loader, discovery, resp_port)
    args = [binary, "--config", config] if binary else ["dotnet", SIDECAR_DLL, "--config", config]
    server = Server(args, env=CONTAINER_GC, name=f"k8scache {ip}")
    ready = wait_until(lambda: http_ok(f"http://{ip}:9090/readyz"))
    return server, ready


def median_range(values, fmt="{:,.0f}"):
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def throughput_rows(results, unit):
    """The table of a throughput workload: median and min-max per system, and the ratio taken run by run."""
    ratios = [a["rps"] / b["rps"] for a, b in zip(results["K8sCache"], results["groupcache"])]
    rows = [f"| system | {unit} | p50 ms | p99 ms |", "| --- | ---: | ---: | ---: |"]
    for name, rs in results.items():
        rows.append(f"| {name} | {median_range([r['rps'] for r in rs])} | {median_range([r['p50'] for r in rs], '{:.2f}')} | "
                    f"{median_range([r['p99'] for r in rs], '{:.2f}')} |")
    rows.append(f"| **ratio K8sCache / groupcache** (pair by pair) | {median_range(ratios, '{:.2f}')} | | |")
    return rows


# --- workloads -------------------------------------------------------------------------------------------------------

def bench_ring():
    ours = json.loads(subprocess.run(BENCH + ["ring"], capture_output=True, text=True, check=True).stdout)
    theirs = json.loads(subprocess.run([GROUPCACHE, "-mode", "ring"], capture_output=True, text=True, check=True).stdout)
    rows = ["| N | K8sCache max/mean | groupcache max/mean | K8sCache moved on join | groupcache moved on join | ideal 1/(N+1) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n in ["3", "5", "10", "30", "100"]:
        rows.append(f"| {n} | {ours[n]['maxOverMean']:.3f} | {theirs[n]['maxOverMean']:.3f} | {ours[n]['movedOnJoin']:.4f} | "
                    f"{theirs[n]['movedOnJoin']:.4f} | {1 / (int(n) + 1):.4f} |")
    return "Ring: balance over 1,000,000 keys and keys moved when one member joins (groupcache: consistenthash, 50 replicas)", rows


def bench_hits(runs, seconds):
    keys = 10000
    results = {"K8sCache": [], "groupcache": []}
    with tempfile.TemporaryDirectory() as directory:
        for run in range(runs):
            ip = f"127.61.{run + 1}.1"
            server, _ = start_sidecar(ip, directory, ["bench"])
            with server:
                subprocess.run(BENCH + ["load", f"http://{ip}:7072", "bench", str(keys), "100"], check=True, capture_output=True)
                results["K8sCache"].append(wrk(f"http://{ip}:7071", "bench/compare/wrk/get.lua",
                                               {"KEYS": str(keys), "PREFIX": "/v1/groups/bench/keys/"}, seconds))
            gc_url = f"http://127.62.{run + 1}.1:8001"
            with Server([GROUPCACHE, "-self", gc_url, "-peers", gc_url], name="groupcache"):
                wait_until(lambda: http_ok(gc_url + "/ready"))
                with concurrent.futures.ThreadPoolExecutor(16) as pool:
                    list(pool.map(lambda k: http_get(f"{gc_url}/get?key=key-{k:012d}"), range(keys)))
                results["groupcache"].append(wrk(gc_url, "bench/compare/wrk/get.lua",
                                                 {"KEYS": str(keys), "PREFIX": "/get?key="}, seconds))
    rows = throughput_rows(results, "requests/s")
    return (f"Localhost hit path: GET of 10,000 warmed keys (100-byte values), wrk -t2 -c50 -d{seconds}s, a random key per "
            f"request, {runs} runs alternating"), rows


def bench_peer_fetch(runs, seconds):
    count = 200000
    results = {"K8sCache": [], "groupcache": []}
    with tempfile.TemporaryDirectory() as directory:
        for run in range(runs):
            ips = [f"127.63.{run + 1}.{i}" for i in (1, 2, 3)]
            members = ",".join(f"{ip}:7070" for ip in ips)
            keys_file = os.path.join(directory, f"k8scache-{run}.keys")
            with open(keys_file, "w") as f:
                subprocess.run(BENCH + ["remote-keys", f"{ips[0]}:7070", members, str(count)], stdout=f, check=True)
            servers = [start_sidecar(ip, directory, ["bench"], discovery="static:///" + members)[0] for ip in ips]
            try:
                subprocess.run(BENCH + ["load", f"http://{ips[0]}:7072", "bench", str(count * 3 // 2 + 1000), "100"],
                               check=True, capture_output=True)
                results["K8sCache"].append(wrk(f"http://{ips[0]}:7071", "bench/compare/wrk/once.lua",
                                               {"KEYS_FILE": keys_file, "PREFIX": "/v1/groups/bench/keys/"}, seconds))
            finally:
                for s in servers:
                    s.stop()
            urls = [f"http://127.64.{run + 1}.{i}:8001" for i in (1, 2, 3)]
            gc_keys = os.path.join(directory, f"groupcache-{run}.keys")
            with open(gc_keys, "w") as f:
                subprocess.run([GROUPCACHE, "-mode", "remote-keys", "-self", urls[0], "-peers", ",".join(urls),
                                "-count", str(count)], stdout=f, check=True)
            gcs = [Server([GROUPCACHE, "-self", u, "-peers", ",".join(urls)], name="groupcache") for u in urls]
            try:
                for u in urls:
                    wait_until(lambda u=u: http_ok(u + "/ready"))
                # No warm-up: groupcache's owners fill with an instant in-process getter, as cheap as a hit.
                results["groupcache"].append(wrk(urls[0], "bench/compare/wrk/once.lua",
                                                 {"KEYS_FILE": gc_keys, "PREFIX": "/get?key="}, seconds))
            finally:
                for s in gcs:
                    s.stop()
    rows = throughput_rows(results, "peer fetches/s")
    return (f"Peer fetch: 3 nodes each; node 1 asked for keys owned by the other two, each key once (no hot-copy effect), "
            f"wrk -t2 -c50 -d{seconds}s, {runs} runs alternating. K8sCache's owners hold the keys (Set beforehand); "
            f"groupcache's owners fill them with an instant in-process getter"), rows


def bench_origin(runs):
    results = {"K8sCache": [], "groupcache": []}
    with tempfile.TemporaryDirectory() as directory:
        loader = Server(["/usr/bin/python3", "-c", LOADER_SERVER, "127.65.0.1", "8090"], name="loader")
        with loader:
            wait_until(lambda: http_ok("http://127.65.0.1:8090/count"))
            for run in range(runs):
                key = f"cold-{run}"
                ips = [f"127.66.{run + 1}.{i}" for i in (1, 2, 3)]
                members = ",".join(f"{ip}:7070" for ip in ips)
                servers = [start_sidecar(ip, directory, ["bench"], loader="http://127.65.0.1:8090/load/{key}",
                                         discovery="static:///" + members)[0] for ip in ips]
                try:
                    before = int(http_get("http://127.65.0.1:8090/count"))
                    with concurrent.futures.ThreadPoolExecutor(500) as pool:
                        bodies = list(pool.map(lambda i: http_get(f"http://{ips[i % 3]}:7071/v1/groups/bench/keys/{key}"), range(500)))
                    assert all(b.startswith(b"value-of-") for b in bodies)
                    results["K8sCache"].append(int(http_get("http://127.65.0.1:8090/count")) - before)
                finally:
                    for s in servers:
                        s.stop()
                urls = [f"http://127.67.{run + 1}.{i}:8001" for i in (1, 2, 3)]
                gcs = [Server([GROUPCACHE, "-self", u, "-peers", ",".join(urls), "-delay", "100ms"]) for u in urls]
                try:
                    for u in urls:
                        wait_until(lambda u=u: http_ok(u + "/ready"))
                    with concurrent.futures.ThreadPoolExecutor(500) as pool:
                        list(pool.map(lambda i: http_get(f"{urls[i % 3]}/get?key={key}"), range(500)))
                    results["groupcache"].append(sum(int(http_get(u + "/loads")) for u in urls))
                finally:
                    for s in gcs:
                        s.stop()
    rows = ["| system | origin loads per cold key, each run |", "| --- | --- |"]
    for name, counts in results.items():
        rows.append(f"| {name} | {', '.join(map(str, counts))} |")
    return f"Origin protection: 500 concurrent Gets of one cold key spread over 3 nodes (loads take 100 ms), {runs} runs", rows


LOADER_SERVER = r'''
import sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
count = 0
lock = threading.Lock()
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        global count
        if self.path == "/count":
            body = str(count).encode()
        else:
            with lock:
                count += 1
            time.sleep(0.1)
            body = b"value-of-" + self.path.rsplit("/", 1)[1].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
'''


def resp_commands(count, size, key_format=b"key-%012d"):
    value = b"v" * size
    for i in range(count):
        key = key_format % i
        yield b"*3\r\n$3\r\nSET\r\n$" + str(len(key)).encode() + b"\r\n" + key + b"\r\n$" + str(size).encode() + b"\r\n" + value + b"\r\n"


def load_resp(port, count, size, host="127.68.0.1", key_format=b"key-%012d"):
    with tempfile.TemporaryFile() as f:
        for chunk in resp_commands(count, size, key_format):
            f.write(chunk)
        f.seek(0)
        subprocess.run(["redis-cli", "-h", host, "-p", str(port), "--pipe"], stdin=f, check=True, capture_output=True)


def redis_benchmark(host, port, command, pipeline, requests):
    """One redis-benchmark run: 50 connections, a random one of 100,000 keys per request; requests/s and p99 ms."""
    out = subprocess.run(["redis-benchmark", "-h", host, "-p", str(port), "-c", "50", "-n", str(requests), "-P", str(pipeline),
                          "-r", "100000", "-q", "--csv"] + command, capture_output=True, text=True, timeout=600).stdout
    row = [line for line in out.splitlines() if line and not line.startswith('"test"')][-1]
    fields = [f.strip('"') for f in row.split('","')]
    return {"rps": float(fields[1]), "p50": float(fields[4]), "p99": float(fields[6]), "errors": 0}


def bench_resp(runs):
    """GET and SET over the Redis protocol: K8sCache's sidecar (the published AOT build), redis-server and Garnet, on
    the same keys (16 bytes: key:NNNNNNNNNNNN, in group "bench" for K8sCache) and 100-byte values, warmed first."""
    systems = {"K8sCache": ("127.70.0.1", 6379, "bench:"), "Redis": ("127.70.0.2", 6379, ""), "Garnet": ("127.70.0.3", 6379, "")}
    cases = [("GET", 1, 200000), ("GET", 16, 2000000), ("SET", 1, 200000), ("SET", 16, 2000000)]
    results = {(case, name): [] for case in cases for name in systems}
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(runs):
            for name, (host, port, prefix) in systems.items():
                if name == "K8sCache":
                    server, _ = start_sidecar(host, directory, ["bench"], binary=TRIMMED if os.path.exists(TRIMMED) else None, resp_port=port)
                elif name == "Redis":
                    server = Server(["redis-server", "--bind", host, "--port", str(port), "--save", "", "--appendonly", "no"], name=name)
                else:
                    server = Server([GARNET, "--bind", host, "--port", str(port)], name=name)
                with server:
                    wait_until(lambda: tcp_answers(host, port, b"PING\r\n", b"PONG"), timeout=60)
                    load_resp(port, 100000, 100, host=host, key_format=prefix.encode() + b"key:%012d")
                    for case in cases:
                        command, pipeline, requests = case
                        args = [command, prefix + "key:__rand_int__"] + (["v" * 100] if command == "SET" else [])
                        results[(case, name)].append(redis_benchmark(host, port, args, pipeline, requests))
    rows = ["| command | pipeline | system | requests/s | p50 ms | p99 ms | K8sCache / this (pair by pair) |",
            "| --- | ---: | --- | ---: | ---: | ---: | ---: |"]
    for case in cases:
        ours = results[(case, "K8sCache")]
        for name in systems:
            theirs = results[(case, name)]
            ratio = "" if name == "K8sCache" else median_range([a["rps"] / b["rps"] for a, b in zip(ours, theirs)], "{:.2f}")
            rows.append(f"| {case[0]} | {case[1]} | {name} | {median_range([r['rps'] for r in theirs])} | "
                        f"{median_range([r['p50'] for r in theirs], '{:.3f}')} | {median_range([r['p99'] for r in theirs], '{:.3f}')} | {ratio} |")
    return (f"Redis protocol: redis-benchmark -c 50 -r 100000 (16-byte keys, 100-byte values, all 100,000 keys set first), "
            f"GET and SET at pipeline 1 and 16; K8sCache is the published AOT sidecar with the container GC settings; "
            f"{runs} runs, the systems in turn"), rows


def read_replies(sock, count):
    """Reads RESP replies from sock until `count` whole top-level replies have arrived (errors raise)."""
    buffer, position, done, pending = b"", 0, 0, []

    def line():
        nonlocal buffer, position
        while (end := buffer.find(b"\r\n", position)) < 0:
            buffer += sock.recv(1 << 16)
        text, position = buffer[position:end], end + 2
        return text

    while done < count:
        header = line()
        kind, size = header[:1], int(header[1:]) if header[:1] in b"*$:" else 0
        if kind == b"-":
            raise RuntimeError(header.decode())
        if kind == b"$" and size >= 0:
            while len(buffer) < position + size + 2:
                buffer += sock.recv(1 << 16)
            position += size + 2
        if kind == b"*" and size > 0:
            pending.append(size)
            continue
        while pending:
            pending[-1] -= 1
            if pending[-1] > 0:
                break
            pending.pop()
        done += 0 if pending else 1


def peer_calls(admin):
    """The node's completed peer calls by method (Get, GetMany), from its Prometheus endpoint."""
    text = urllib.request.urlopen(admin + "/metrics", timeout=5).read().decode()
    counts = {}
    for method, count in re.findall(r'^k8scache_peer_duration_seconds_count\{method="(\w+)",outcome="\w+"\} (\d+)', text, re.M):
        counts[method] = counts.get(method, 0) + int(count)
    return counts


def command(*args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def bench_batch(runs):
    """A batch of 100 keys that node 1 does not own, asked of node 1's Redis endpoint as one MGET against 100 GETs in one
    pipelined write (each key once, so no hot copies): the MGET's misses go to each owner in one call, the GETs' one
    call per key."""
    batches, size = 300, 100
    forms = {"MGET of 100 keys": [], "100 GETs, pipelined": []}
    calls = {name: {"Get": 0, "GetMany": 0} for name in forms}
    with tempfile.TemporaryDirectory() as directory:
        for run in range(runs):
            ips = [f"127.75.{run + 1}.{i}" for i in (1, 2, 3)]
            members = ",".join(f"{ip}:7070" for ip in ips)
            keys = subprocess.run(BENCH + ["remote-keys", f"{ips[0]}:7070", members, str(batches * size * 2)],
                                  capture_output=True, text=True, check=True).stdout.split()
            servers = [start_sidecar(ip, directory, ["bench"], discovery="static:///" + members, resp_port=6379,
                                     binary=TRIMMED if os.path.exists(TRIMMED) else None)[0] for ip in ips]
            try:
                subprocess.run(BENCH + ["load", f"http://{ips[0]}:7072", "bench", str(batches * size * 6), "100"],
                               check=True, capture_output=True)
                with socket.create_connection((ips[0], 6379)) as sock:
                    for batch in range(batches * 2):
                        name = list(forms)[batch % 2]
                        names = [b"bench:" + k.encode() for k in keys[batch * size:(batch + 1) * size]]
                        payload = command(b"MGET", *names) if batch % 2 == 0 else b"".join(command(b"GET", n) for n in names)
                        before = peer_calls(f"http://{ips[0]}:9090")
                        started = time.perf_counter()
                        sock.sendall(payload)
                        read_replies(sock, 1 if batch % 2 == 0 else size)
                        forms[name].append((time.perf_counter() - started) * 1000)
                        after = peer_calls(f"http://{ips[0]}:9090")
                        for method in calls[name]:
                            calls[name][method] += after.get(method, 0) - before.get(method, 0)
            finally:
                for s in servers:
                    s.stop()
    rows = ["| form | per batch p50 ms | p99 ms | peer Gets per batch | peer GetMany calls per batch |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, times in forms.items():
        times.sort()
        count = len(times)
        rows.append(f"| {name} | {times[count // 2]:.2f} | {times[min(count - 1, count * 99 // 100)]:.2f} | "
                    f"{calls[name]['Get'] / count:.1f} | {calls[name]['GetMany'] / count:.1f} |")
    return (f"Batch Get: 3 K8sCache nodes (the published AOT sidecar); node 1's Redis endpoint asked for {size} keys the two "
            f"others own, each key once, {batches} batches of each form alternating, one connection, {runs} runs; the "
            f"peer calls counted from node 1's /metrics"), rows


def load_memcached(port, count, size):
    value = b"v" * size
    with socket.create_connection(("127.68.0.1", port)) as s:
        batch = []
        for i in range(count):
            batch.append(b"set key-%012d 0 0 %d noreply\r\n%s\r\n" % (i, size, value))
            if len(batch) == 1000:
                s.sendall(b"".join(batch))
                batch.clear()
        s.sendall(b"".join(batch) + b"get key-000000000000\r\n")
        data = b""
        while b"END" not in data:
            data += s.recv(4096)


def bench_memory(count):
    size = 100
    rows = ["| system | idle RSS MiB | start to first answer ms | RSS after load MiB | bytes per entry above idle |",
            "| --- | ---: | ---: | ---: | ---: |"]

    def measure(name, server, ready, load):
        time.sleep(0.5)
        idle = server.rss_bytes()
        load()
        time.sleep(1)
        loaded = server.rss_bytes()
        rows.append(f"| {name} | {idle / 2**20:.1f} | {ready * 1000:.0f} | {loaded / 2**20:.1f} | {(loaded - idle) / count:.0f} |")

    with tempfile.TemporaryDirectory() as directory:
        server, ready = start_sidecar("127.68.0.2", directory, ["bench"], binary=TRIMMED if os.path.exists(TRIMMED) else None)
        with server:
            measure("K8sCache (trimmed, container GC settings)", server, ready, lambda: subprocess.run(
                BENCH + ["load", "http://127.68.0.2:7072", "bench", str(count), str(size)], check=True, capture_output=True))
        with Server(["redis-server", "--bind", "127.68.0.1", "--port", "16379", "--save", "", "--appendonly", "no"]) as redis:
            ready = wait_until(lambda: tcp_answers("127.68.0.1", 16379, b"PING\r\n", b"PONG"))
            measure("Redis " + subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2][2:],
                    redis, ready, lambda: load_resp(16379, count, size))
        with Server(["memcached", "-l", "127.68.0.1", "-p", "11311", "-m", "4096", "-U", "0"] + (["-u", "nobody"] if os.geteuid() == 0 else [])) as memcached:
            ready = wait_until(lambda: tcp_answers("127.68.0.1", 11311, b"version\r\n", b"VERSION"))
            measure("memcached", memcached, ready, lambda: load_memcached(11311, count, size))
        with Server([GARNET, "--bind", "127.68.0.1", "--port", "16380"]) as garnet:
            ready = wait_until(lambda: tcp_answers("127.68.0.1", 16380, b"PING\r\n", b"PONG"), timeout=60)
            measure("Garnet", garnet, ready, lambda: load_resp(16380, count, size))
    return f"Memory: {count:,} entries of 16-byte keys and 100-byte values; RSS from /proc; one run each", rows


def bench_footprint(runs):
    rows = ["| sidecar build | idle RSS MiB | start to ready ms |", "| --- | ---: | ---: |"]
    with tempfile.TemporaryDirectory() as directory:
        for name, binary in [("framework-dependent (dotnet k8scache-sidecar.dll)", None), ("trimmed self-contained (scripts/publish.sh)", TRIMMED),
                             ("trimmed self-contained + ReadyToRun", TRIMMED_R2R)]:
            if binary and not os.path.exists(binary):
                continue
            rss, ready_ms = [], []
            for run in range(runs):
                host = {None: 1, TRIMMED: 2}.get(binary, 3)
                server, ready = start_sidecar(f"127.69.{run + 1}.{host}", directory, ["bench"], binary=binary)
                with server:
                    time.sleep(1)
                    rss.append(server.rss_bytes() / 2**20)
                    ready_ms.append(ready * 1000)
            rows.append(f"| {name} | {median_range(rss, '{:.1f}')} | {median_range(ready_ms)} |")
    return (f"Footprint of one sidecar (one group, static discovery), with the container image's GC settings "
            f"(DOTNET_gcServer=0, DOTNET_GCConserveMemory=5), {runs} runs"), rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--entries", type=int, default=1000000)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"),
                        help="a markdown file; the report replaces what stands between its compare markers (or is appended)")
    args = parser.parse_args()
    os.chdir(ROOT)
    workloads = {
        "ring": bench_ring,
        "hits": lambda: bench_hits(args.runs, args.seconds),
        "peer": lambda: bench_peer_fetch(args.runs, args.seconds),
        "origin": lambda: bench_origin(args.runs),
        "memory": lambda: bench_memory(args.entries),
        "footprint": lambda: bench_footprint(args.runs),
        "resp": lambda: bench_resp(args.runs),
        "batch": lambda: bench_batch(args.runs),
    }
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    measured = (f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} vCPU {cpu}, "
                f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.platform()}; "
                f"command: `bash bench/compare/run.sh{' ' + ' '.join(sys.argv[1:]) if sys.argv[1:] else ''}`.")
    sections = {}
    for name, run in workloads.items():
        if args.only and name not in args.only:
            continue
        print(f"compare: {name} ...", flush=True)
        title, rows = run()
        sections[name] = f"<!-- compare:{name} -->\n### {title}\n\n" + "\n".join(rows) + f"\n\n{measured}\n<!-- /compare:{name} -->\n"
        print("\n".join(rows), flush=True)
    # Each workload's section is replaced on its own, so a run of some workloads keeps the others' figures.
    begin, end = "<!-- compare:begin -->", "<!-- compare:end -->"
    existing = open(args.out).read() if os.path.exists(args.out) else ""
    if begin not in existing or end not in existing:
        existing += f"\n{begin}\n## Side by side: K8sCache, groupcache, Redis, Garnet, memcached\n\n{end}\n"
    for name, section in sections.items():
        start, stop = f"<!-- compare:{name} -->", f"<!-- /compare:{name} -->\n"
        if start in existing and stop in existing:
            existing = existing[:existing.index(start)] + section + existing[existing.index(stop) + len(stop):]
        else:
            existing = existing[:existing.index(end)] + "\n" + section + existing[existing.index(end):]
    with open(args.out, "w") as f:
        f.write(existing)
    print(f"compare: wrote {args.out}")


if __name__ == "__main__":
    main()
