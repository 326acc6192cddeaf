"""Calls a K8sCache gRPC server with Python grpcio and prints one JSON object with what each case observed.
The C# interop test asserts on it; this script asserts nothing itself.
Usage: /usr/bin/python3 client.py HOST:PORT DESCRIPTOR_SET"""
import json
import sys

import grpc

import cache_messages


def main():
    target, descriptor_set = sys.argv[1], sys.argv[2]
    message = cache_messages.load(descriptor_set)
    GetRequest, GetResponse = message("GetRequest"), message("GetResponse")
    GetManyRequest, GetManyItem = message("GetManyRequest"), message("GetManyItem")

    channel = grpc.insecure_channel(target)
    get = channel.unary_unary("/k8scache.v1.Cache/Get", request_serializer=GetRequest.SerializeToString,
                              response_deserializer=GetResponse.FromString)
    get_many = channel.unary_stream("/k8scache.v1.Cache/GetMany", request_serializer=GetManyRequest.SerializeToString,
                                    response_deserializer=GetManyItem.FromString)
    nope = channel.unary_unary("/k8scache.v1.Cache/Nope", request_serializer=GetRequest.SerializeToString,
                               response_deserializer=GetResponse.FromString)

    def call(method, request, **kwargs):
        try:
            return {"code": 0, "response": method(request, **kwargs)}
        except grpc.RpcError as e:
            return {"code": e.code().value[0], "details": e.details()}

    def stream(keys):
        seen = []
        try:
            for item in get_many(GetManyRequest(group="g", keys=keys), timeout=30):
                seen.append(item.key)
            return {"keys": seen, "code": 0}
        except grpc.RpcError as e:
            return {"keys": seen, "code": e.code().value[0], "details": e.details()}

    result = {}
    ok = call(get, GetRequest(group="g", key="k1"), timeout=30)
    response = ok.get("response")
    result["success"] = {"code": ok["code"], "value": response.value.decode() if response else None,
                         "ttl_ms": response.ttl_ms if response else None, "source": response.source if response else None}
    result["error"] = _strip(call(get, GetRequest(group="g", key="error"), timeout=30))
    result["deadline"] = _strip(call(get, GetRequest(group="g", key="slow"), timeout=0.3))
    result["unimplemented"] = _strip(call(nope, GetRequest(), timeout=30))
    echoed = call(get, GetRequest(group="g", key="metadata"), timeout=30, metadata=(("x-k8scache-test", "from-python"),))
    result["metadata"] = echoed["response"].value.decode() if echoed["code"] == 0 else echoed
    result["stream"] = stream(["a", "b", "c"])
    result["streamError"] = stream(["a", "error", "c"])
    big = call(get, GetRequest(group="g", key="big:2000000"), timeout=30)
    result["big"] = {"code": big["code"], "length": len(big["response"].value) if big["code"] == 0 else 0}
    channel.close()
    print(json.dumps(result))


def _strip(outcome):
    outcome.pop("response", None)
    return outcome


if __name__ == "__main__":
    main()
