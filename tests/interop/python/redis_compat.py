"""redis-py (Debian's python3-redis) running what applications run on Redis as a cache, against a K8sCache sidecar.

Usage: redis_compat.py HOST PORT OTHER_PORT [OTHER_HOST]. The counters, hashes, transactions and SCAN of the Redis endpoint
(docs/redis.md) and pub/sub, each checked against Redis's answers; OTHER_PORT is another node's endpoint, which must see
every write at once and get every message published here. Group "kv" has no loader.
"""
import sys

import redis

host, port, other_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = redis.Redis(host=host, port=port, socket_timeout=10)
other = redis.Redis(host=sys.argv[4] if len(sys.argv) > 4 else host, port=other_port, socket_timeout=10)

# Flask-Caching's write and read.
assert r.setex("kv:cp-setex", 100, "v") is True
assert 98 <= other.ttl("kv:cp-setex") <= 100
assert r.psetex("kv:cp-psetex", 100_000, "p") is True
assert other.get("kv:cp-psetex") == b"p"
assert r.setnx("kv:cp-setnx", "first") is True
assert other.setnx("kv:cp-setnx", "second") is False
assert r.getset("kv:cp-setnx", "third") == b"first"
assert other.getdel("kv:cp-setnx") == b"third"
assert r.get("kv:cp-setnx") is None
assert r.append("kv:cp-append", "Hello") == 5
assert other.append("kv:cp-append", " World") == 11
assert r.strlen("kv:cp-append") == 11
assert r.getrange("kv:cp-append", 0, 4) == b"Hello"
assert r.getrange("kv:cp-append", -5, -1) == b"World"
assert r.setrange("kv:cp-append", 6, "Redis") == 11
assert other.get("kv:cp-append") == b"Hello Redis"
assert r.setrange("kv:cp-pad", 3, "x") == 4
assert r.get("kv:cp-pad") == b"\x00\x00\x00x"

# A fixed-window rate limiter: INCR then EXPIRE on the first hit, from two nodes; every hit counted once.
for i in range(10):
    client = r if i % 2 == 0 else other
    hits = client.incr("kv:cp-rate")
    if hits == 1:
        client.expire("kv:cp-rate", 60)
assert r.get("kv:cp-rate") == b"10"
assert 58 <= other.ttl("kv:cp-rate") <= 60
assert r.incrby("kv:cp-rate", 5) == 15
assert r.decr("kv:cp-rate") == 14
assert other.decrby("kv:cp-rate", 4) == 10
assert r.incrbyfloat("kv:cp-float", 10.5) == 10.5
assert other.incrbyfloat("kv:cp-float", 0.1) == 10.6
assert r.get("kv:cp-float") == b"10.6"

# Hashes: one value, owned and expired as a whole.
assert r.hset("kv:cp-h", mapping={"a": "1", "b": "2"}) == 2
assert other.hset("kv:cp-h", "c", "3") == 1
assert r.hget("kv:cp-h", "a") == b"1"
assert other.hmget("kv:cp-h", "a", "missing", "c") == [b"1", None, b"3"]
assert r.hgetall("kv:cp-h") == {b"a": b"1", b"b": b"2", b"c": b"3"}
assert r.hlen("kv:cp-h") == 3 and r.hexists("kv:cp-h", "b") and not r.hexists("kv:cp-h", "z")
assert sorted(r.hkeys("kv:cp-h")) == [b"a", b"b", b"c"] and sorted(other.hvals("kv:cp-h")) == [b"1", b"2", b"3"]
assert r.hsetnx("kv:cp-h", "a", "x") == 0 and r.hsetnx("kv:cp-h", "d", "4") == 1
assert r.hincrby("kv:cp-h", "a", 10) == 11 and other.hincrbyfloat("kv:cp-h", "a", 0.5) == 11.5
assert r.hstrlen("kv:cp-h", "b") == 1
assert r.hdel("kv:cp-h", "b", "z") == 1
assert r.type("kv:cp-h") == b"hash" and r.type("kv:cp-append") == b"string" and r.type("kv:cp-none") == b"none"
assert r.expire("kv:cp-h", 100) is True and 98 <= other.ttl("kv:cp-h") <= 100
assert r.persist("kv:cp-h") is True and r.ttl("kv:cp-h") == -1
for command in [lambda: r.get("kv:cp-h"), lambda: other.get("kv:cp-h"), lambda: r.incr("kv:cp-h"), lambda: r.hget("kv:cp-append", "a")]:
    try:
        command()
    except redis.ResponseError as e:
        assert str(e).startswith("WRONGTYPE"), e
    else:
        raise AssertionError("no WRONGTYPE")
assert r.delete("kv:cp-h") == 1 and r.exists("kv:cp-h") == 0
assert r.hset("kv:cp-h2", "only", "1") == 1 and r.hdel("kv:cp-h2", "only") == 1 and r.exists("kv:cp-h2") == 0

# Transactions: keys of one owner through a hash tag; MULTI/EXEC, WATCH, DISCARD.
pipe = r.pipeline(transaction=True)
pipe.set("kv:{cp-user}:name", "Ada").incr("kv:{cp-user}:visits").hset("kv:{cp-user}:profile", "lang", "en").get("kv:{cp-user}:name")
assert pipe.execute() == [True, 1, 1, b"Ada"]
with r.pipeline(transaction=True) as pipe:
    pipe.watch("kv:{cp-user}:visits")
    visits = int(pipe.get("kv:{cp-user}:visits"))
    other.incr("kv:{cp-user}:visits")  # another client changes the watched key
    pipe.multi()
    pipe.set("kv:{cp-user}:visits", visits + 100)
    try:
        pipe.execute()
    except redis.WatchError:
        pass
    else:
        raise AssertionError("a changed watched key did not abort EXEC")
assert r.get("kv:{cp-user}:visits") == b"2"
with r.pipeline(transaction=True) as pipe:
    pipe.watch("kv:{cp-user}:visits")
    pipe.multi()
    pipe.incr("kv:{cp-user}:visits")
    assert pipe.execute() == [3]
try:
    # Twelve keys without a tag: all on one owner of three once in 177,147 tries.
    pipe = r.pipeline(transaction=True)
    for i in range(12):
        pipe.set(f"kv:cp-cross-{i}", i)
    pipe.execute()
except redis.ResponseError as e:
    assert "CROSSSLOT" in str(e) or "EXECABORT" in str(e), e
else:
    raise AssertionError("keys of several owners in one transaction were not refused")

# SCAN and KEYS over the whole cluster, by prefix (Flask-Caching's and Spring's clear).
for i in range(50):
    r.set(f"kv:cp-scan:{i}", i)
found = set(other.scan_iter(match="kv:cp-scan:*", count=7))
assert found == {f"kv:cp-scan:{i}".encode() for i in range(50)}, len(found)
assert set(r.keys("kv:cp-scan:1*")) == {f"kv:cp-scan:{i}".encode() for i in [1] + list(range(10, 20))}
assert set(r.scan_iter(match="kv:{cp-user}:*", _type="hash")) == {b"kv:{cp-user}:profile"}
assert r.delete(*found) == 50
assert list(r.scan_iter(match="kv:cp-scan:*")) == []

# Pub/sub across nodes: what this node publishes reaches a subscriber of the other node, in order, by channel and by
# pattern; the other node's invalidation channel names every key written here.
sub = other.pubsub()
sub.subscribe("cp-news")
sub.psubscribe("cp-*")
assert [sub.get_message(timeout=10)["type"] for _ in range(2)] == ["subscribe", "psubscribe"]
for i in range(20):
    assert r.publish("cp-news", f"m{i}") == 0  # subscribers of this node only, as in Redis Cluster
received = [sub.get_message(timeout=10) for _ in range(40)]
assert [m["data"] for m in received if m["type"] == "message"] == [f"m{i}".encode() for i in range(20)]
assert [(m["pattern"], m["channel"]) for m in received if m["type"] == "pmessage"] == [(b"cp-*", b"cp-news")] * 20
assert other.pubsub_numsub("cp-news") == [(b"cp-news", 1)] and other.pubsub_numpat() >= 1
sub.close()
changes = other.pubsub(ignore_subscribe_messages=True)
changes.subscribe("__k8scache__:invalidate:kv")
assert changes.get_message(timeout=10) is None  # the confirmation, skipped
r.set("kv:cp-changed", "1")
message = changes.get_message(timeout=10)
assert message["channel"] == b"__k8scache__:invalidate:kv" and message["data"] == b"cp-changed", message
changes.close()

# Unsupported families keep Redis's error text.
for command in [lambda: r.execute_command("EVAL", "return 1", "0"), lambda: r.lpush("kv:cp-list", "x")]:
    try:
        command()
    except redis.ResponseError as e:
        assert "unknown command" in str(e), e
    else:
        raise AssertionError("no error")
print("redis-py compat: ok")
