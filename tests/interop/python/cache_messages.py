"""The k8scache.v1 messages for Python, built at run time from a FileDescriptorSet the test writes from the C#
generated code's own descriptors: no protoc version has to match the Debian protobuf runtime."""
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def load(descriptor_set_path):
    with open(descriptor_set_path, "rb") as f:
        files = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)

    def message(name):
        descriptor = pool.FindMessageTypeByName("k8scache.v1." + name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(descriptor)
        return message_factory.MessageFactory(pool).GetPrototype(descriptor)

    return message
