// Calls a K8sCache gRPC server with Node's @grpc/grpc-js, loading the contract straight from proto/, and prints one
// JSON object with what each case observed. The C# interop test asserts on it; this script asserts nothing itself.
// Usage: node client.js HOST:PORT PROTO_ROOT
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [target, protoRoot] = process.argv.slice(2);
const definition = protoLoader.loadSync(path.join(protoRoot, 'k8scache/v1/cache.proto'), {
  keepCase: true, longs: Number, enums: String, defaults: true, includeDirs: [protoRoot],
});
const Cache = grpc.loadPackageDefinition(definition).k8scache.v1.Cache;
const client = new Cache(target, grpc.credentials.createInsecure());

function unary(method, request, options = {}, metadata = new grpc.Metadata()) {
  return new Promise((resolve) => {
    client[method](request, metadata, options, (error, response) => {
      resolve(error ? { code: error.code, details: error.details } : { code: 0, response });
    });
  });
}

function stream(keys) {
  return new Promise((resolve) => {
    const seen = [];
    const call = client.GetMany({ group: 'g', keys });
    call.on('data', (item) => seen.push(item.key));
    call.on('error', (error) => resolve({ keys: seen, code: error.code, details: error.details }));
    call.on('end', () => resolve({ keys: seen, code: 0 }));
  });
}

function raw(pathName) {
  return new Promise((resolve) => {
    client.makeUnaryRequest(pathName, (b) => b, (b) => b, Buffer.alloc(0), (error) => {
      resolve(error ? { code: error.code, details: error.details } : { code: 0 });
    });
  });
}

async function main() {
  const result = {};
  const success = await unary('Get', { group: 'g', key: 'k1' });
  result.success = { code: success.code, value: success.response && success.response.value.toString('utf8'),
    ttl_ms: success.response && success.response.ttl_ms, source: success.response && success.response.source };
  result.error = await unary('Get', { group: 'g', key: 'error' });
  result.deadline = await unary('Get', { group: 'g', key: 'slow' }, { deadline: Date.now() + 300 });
  result.unimplemented = await raw('/k8scache.v1.Cache/Nope');
  const metadata = new grpc.Metadata();
  metadata.add('x-k8scache-test', 'from-node');
  const echoed = await unary('Get', { group: 'g', key: 'metadata' }, {}, metadata);
  result.metadata = echoed.response ? echoed.response.value.toString('utf8') : echoed;
  result.stream = await stream(['a', 'b', 'c']);
  result.streamError = await stream(['a', 'error', 'c']);
  const big = await unary('Get', { group: 'g', key: 'big:' + 2000000 });
  result.big = { code: big.code, length: big.response ? big.response.value.length : 0 };
  client.close();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
