"""redis-py (Debian's python3-redis, RESP2) against a K8sCache sidecar's Redis endpoint.

Usage: redis_client.py HOST PORT. Runs the commands an application uses, through redis-py's own API, and exits non-zero
at the first answer that differs from what Redis would give. Group "kv" has no loader; group "scores" loads from the
test's loader (which answers "value-of-KEY").
"""
import sys

import redis

host, port = sys.argv[1], int(sys.argv[2])
r = redis.Redis(host=host, port=port, socket_timeout=10)

assert r.ping() is True
assert r.echo("hi") == b"hi"

# Binary values round-trip unchanged, every byte value included.
binary = bytes(range(256)) * 4
assert r.set("kv:py-binary", binary) is True
assert r.get("kv:py-binary") == binary

# SET options as Redis defines them.
assert r.set("kv:py-nx", "first", nx=True) is True
assert r.set("kv:py-nx", "second", nx=True) is None
assert r.get("kv:py-nx") == b"first"
assert r.set("kv:py-xx-missing", "v", xx=True) is None
assert r.get("kv:py-xx-missing") is None
assert r.set("kv:py-nx", "third", get=True) == b"first"
assert r.set("kv:py-ttl", "v", ex=100) is True
assert 98 <= r.ttl("kv:py-ttl") <= 100
assert 98_000 <= r.pttl("kv:py-ttl") <= 100_000
assert r.set("kv:py-ttl", "w", keepttl=True) is True
assert 98 <= r.ttl("kv:py-ttl") <= 100
assert r.persist("kv:py-ttl") is True
assert r.ttl("kv:py-ttl") == -1
assert r.persist("kv:py-ttl") is False
assert r.expire("kv:py-ttl", 50) is True
assert r.expire("kv:py-ttl", 500, gt=True) is True
assert r.expire("kv:py-ttl", 10, gt=True) is False
assert 498 <= r.ttl("kv:py-ttl") <= 500
assert r.ttl("kv:py-absent") == -2
assert r.getex("kv:py-ttl", ex=30) == b"w"
assert 28 <= r.ttl("kv:py-ttl") <= 30

# Several keys, spread over the owners, answered in order.
assert r.mset({"kv:py-m1": "1", "kv:py-m2": "2", "kv:py-m3": "3"}) is True
assert r.mget("kv:py-m1", "kv:py-absent", "kv:py-m3") == [b"1", None, b"3"]
assert r.exists("kv:py-m1", "kv:py-m2", "kv:py-absent") == 2
assert r.delete("kv:py-m1", "kv:py-m2", "kv:py-absent") == 2
assert r.unlink("kv:py-m3") == 1
assert r.get("kv:py-m1") is None

# Read-through: a miss goes to the group's loader.
assert r.get("scores:py-loaded") == b"value-of-py-loaded"

# A pipeline of 200 commands in one round trip, answered in order.
pipe = r.pipeline(transaction=False)
for i in range(100):
    pipe.set(f"kv:py-pipe-{i}", str(i))
    pipe.get(f"kv:py-pipe-{i}")
answers = pipe.execute()
assert answers == [x for i in range(100) for x in (True, str(i).encode())], answers[:6]

# Errors are Redis errors, and the connection stays usable.
for command, expected in [
    (lambda: r.execute_command("NOSUCH", "x"), "unknown command"),
    (lambda: r.execute_command("GET"), "wrong number of arguments"),
    (lambda: r.get("nogroup"), "names no group"),
    (lambda: r.get("kv:" + "k" * 300), "MaxKeyBytes"),
    (lambda: r.set("kv:py-big", b"x" * 70_000), "MaxValueBytes"),
    (lambda: r.set("kv:py-x", "v", ex=0), "invalid expire time"),
    (lambda: r.execute_command("SET", "kv:py-x", "v", "NX", "XX"), "syntax error"),
    (lambda: r.execute_command("SELECT", "1"), "out of range"),
]:
    try:
        command()
    except redis.ResponseError as e:
        assert expected in str(e), f"{expected!r} not in {e}"
    else:
        raise AssertionError(f"no error, expected {expected!r}")
assert r.get("kv:py-nx") == b"third"

assert r.execute_command("SELECT", "0") is True
assert r.client_setname("py-client") is True
assert r.client_getname() == "py-client"
assert isinstance(r.client_id(), int)
info = r.info()
assert info["redis_version"] == "7.2.0" and "keyspace_hits" in info, info
assert r.dbsize() >= 0
assert r.config_get("save") == {"save": ""}
print("redis-py: ok")
