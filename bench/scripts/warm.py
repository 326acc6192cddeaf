"""PUTs KEYS keys of VALUE_BYTES bytes over one keep-alive HTTP connection (stdlib only).
Usage: warm.py HOST PORT GROUP KEYS VALUE_BYTES"""
import http.client
import sys

host, port, group, keys, size = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
connection = http.client.HTTPConnection(host, port)
value = b"v" * size
for i in range(keys):
    connection.request("PUT", f"/v1/groups/{group}/keys/key-{i}", body=value)
    response = connection.getresponse()
    response.read()
    if response.status != 204:
        sys.exit(f"PUT key-{i}: HTTP {response.status}")
connection.close()
