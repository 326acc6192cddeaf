"""A Python grpcio server of k8scache.v1.Cache, the peer our C# client is tested against. Binds 127.0.0.1 on an
OS-chosen port, prints the port on its first line, and serves until stdin closes (the test owns its lifetime).
Keys select behaviour: 'fail' -> NOT_FOUND with a non-ASCII message, 'slow' -> sleeps 30 s, 'headers' -> echoes the
x-k8scache-test metadata; others -> 'py:KEY'. GetMany streams one item per key and fails with NOT_FOUND at 'fail'.
Usage: /usr/bin/python3 server.py DESCRIPTOR_SET"""
import sys
import time
from concurrent import futures

import grpc

import cache_messages

FAIL_DETAIL = "no such key 'grüße' → 100%"


def main():
    message = cache_messages.load(sys.argv[1])
    GetRequest, GetResponse = message("GetRequest"), message("GetResponse")
    GetManyRequest, GetManyItem = message("GetManyRequest"), message("GetManyItem")

    def answer(key, context):
        if key == "fail":
            context.abort(grpc.StatusCode.NOT_FOUND, FAIL_DETAIL)
        if key == "slow":
            time.sleep(30)
        if key == "headers":
            return dict(context.invocation_metadata()).get("x-k8scache-test", "").encode()
        return ("py:" + key).encode()

    def get(request, context):
        return GetResponse(found=True, value=answer(request.key, context), ttl_ms=7)

    def get_many(request, context):
        for key in request.keys:
            yield GetManyItem(key=key, found=True, value=answer(key, context))

    handler = grpc.method_handlers_generic_handler("k8scache.v1.Cache", {
        "Get": grpc.unary_unary_rpc_method_handler(get, request_deserializer=GetRequest.FromString,
                                                   response_serializer=GetResponse.SerializeToString),
        "GetMany": grpc.unary_stream_rpc_method_handler(get_many, request_deserializer=GetManyRequest.FromString,
                                                        response_serializer=GetManyItem.SerializeToString),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    sys.stdin.read()
    server.stop(grace=None)


if __name__ == "__main__":
    main()
