// node-redis (the `redis` package, v5) over RESP3 and ioredis over RESP2 against a K8sCache sidecar's Redis endpoint.
// Usage: node redis_client.js HOST PORT OTHER_HOST OTHER_PORT (another node's endpoint, for pub/sub across nodes). Exits
// non-zero at the first answer that differs from what Redis would give.
'use strict';
const assert = require('node:assert/strict');
const { createClient, RESP_TYPES } = require('redis');
const Redis = require('ioredis');

const [host, port, otherHost, otherPort] = [process.argv[2], Number(process.argv[3]), process.argv[4], Number(process.argv[5])];

async function nodeRedisResp3() {
  const client = createClient({ socket: { host, port, reconnectStrategy: false }, RESP: 3 });
  client.on('error', () => {});
  await client.connect();
  assert.equal(await client.ping(), 'PONG');
  assert.equal(await client.set('kv:node-a', 'alpha'), 'OK');
  assert.equal(await client.get('kv:node-a'), 'alpha');
  assert.equal(await client.get('kv:node-absent'), null);
  assert.equal(await client.set('kv:node-a', 'beta', { condition: 'NX' }), null);
  assert.equal(await client.ttl('kv:node-absent'), -2);
  // Binary values as Buffers, every byte value included.
  const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  await client.set('kv:node-bin', binary);
  const buffers = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  assert.deepEqual(await buffers.get('kv:node-bin'), binary);
  // Commands issued together are pipelined on the one connection and answered in order.
  const many = await Promise.all(Array.from({ length: 200 }, (_, i) => client.set(`kv:node-p${i}`, String(i)).then(() => client.get(`kv:node-p${i}`))));
  assert.deepEqual(many, Array.from({ length: 200 }, (_, i) => String(i)));
  assert.deepEqual(await client.mGet(['kv:node-p1', 'kv:node-absent', 'kv:node-p2']), ['1', null, '2']);
  assert.equal(await client.get('scores:node-loaded'), 'value-of-node-loaded');
  await assert.rejects(client.sendCommand(['NOSUCH']), /unknown command/);
  await assert.rejects(client.get('nogroup'), /names no group/);
  assert.equal(await client.get('kv:node-a'), 'alpha');
  // Counters, hashes (a RESP3 map), TYPE and WRONGTYPE, a transaction on one owner through a hash tag, SCAN.
  assert.equal(await client.incr('kv:node-count'), 1);
  assert.equal(await client.incrBy('kv:node-count', 9), 10);
  assert.equal(await client.hSet('kv:node-h', { a: '1', b: '2' }), 2);
  assert.deepEqual({ ...(await client.hGetAll('kv:node-h')) }, { a: '1', b: '2' });
  assert.equal(await client.hIncrBy('kv:node-h', 'a', 4), 5);
  assert.equal(await client.type('kv:node-h'), 'hash');
  await assert.rejects(client.get('kv:node-h'), /^.*WRONGTYPE/);
  const exec = await client.multi().set('kv:{node-tx}:a', '1').incr('kv:{node-tx}:n').hSet('kv:{node-tx}:h', 'f', 'v').exec();
  assert.deepEqual(exec, ['OK', 1, 1]);
  const scanned = [];
  for await (const keys of client.scanIterator({ MATCH: 'kv:{node-tx}:*', COUNT: 5 })) {
    scanned.push(...keys);
  }
  assert.deepEqual(scanned.sort(), ['kv:{node-tx}:a', 'kv:{node-tx}:h', 'kv:{node-tx}:n']);
  const hello = await client.sendCommand(['HELLO', '3']);
  assert.equal(hello.proto ?? hello.get?.('proto'), 3);
  await client.quit();
}

// A RESP3 subscriber (pushes on its own connection) on the other node, a RESP2 ioredis subscriber by pattern on this one.
async function pubSubAcrossNodes() {
  const subscriber = createClient({ socket: { host: otherHost, port: otherPort, reconnectStrategy: false }, RESP: 3 });
  subscriber.on('error', () => {});
  await subscriber.connect();
  const got = [];
  let allArrived;
  const arrived = new Promise((resolve) => { allArrived = resolve; });
  await subscriber.subscribe('node-news', (message) => { got.push(message); if (got.length === 10) allArrived(); });
  const patterned = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await patterned.connect();
  const byPattern = [];
  let allMatched;
  const matched = new Promise((resolve) => { allMatched = resolve; });
  await patterned.psubscribe('node-*');
  patterned.on('pmessage', (pattern, channel, message) => {
    byPattern.push(`${pattern}|${channel}|${message}`);
    if (byPattern.length === 10) allMatched();
  });
  const publisher = createClient({ socket: { host, port, reconnectStrategy: false } });
  publisher.on('error', () => {});
  await publisher.connect();
  for (let i = 0; i < 10; i++) {
    assert.equal(await publisher.publish('node-news', `m${i}`), 1);
  }
  // Each subscriber's messages come on its own connection: wait for both to have all ten.
  await Promise.all([arrived, matched]);
  assert.deepEqual(got, Array.from({ length: 10 }, (_, i) => `m${i}`));
  assert.deepEqual(byPattern, Array.from({ length: 10 }, (_, i) => `node-*|node-news|m${i}`));
  assert.equal(await subscriber.get('kv:node-a'), 'alpha'); // RESP3: any command while subscribed
  await subscriber.unsubscribe('node-news');
  await Promise.all([subscriber.quit(), publisher.quit()]);
  patterned.disconnect();
}

async function ioredisResp2() {
  const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await client.connect();
  assert.equal(await client.set('kv:io-a', 'one', 'EX', 100), 'OK');
  assert.ok((await client.ttl('kv:io-a')) > 90);
  const results = await client.pipeline().set('kv:io-b', '2').get('kv:io-b').del('kv:io-b').exists('kv:io-b').exec();
  assert.deepEqual(results, [[null, 'OK'], [null, '2'], [null, 1], [null, 0]]);
  assert.equal(await client.getBuffer('kv:io-a').then((b) => b.toString()), 'one');
  await assert.rejects(client.set('kv:io-x', 'v', 'PX', '-5'), /invalid expire time/);
  assert.equal(await client.get('scores:io-loaded'), 'value-of-io-loaded');
  assert.equal(await client.setex('kv:io-ex', 100, 'v'), 'OK');
  assert.equal(await client.setnx('kv:io-ex', 'w'), 0);
  assert.equal(await client.hset('kv:io-h', 'f', 'v'), 1);
  assert.deepEqual(await client.hgetall('kv:io-h'), { f: 'v' });
  const multi = await client.multi().incr('kv:{io-tx}:n').incrbyfloat('kv:{io-tx}:n', '0.5').exec();
  assert.deepEqual(multi, [[null, 1], [null, '1.5']]);
  client.disconnect();
}

(async () => {
  await nodeRedisResp3();
  await pubSubAcrossNodes();
  await ioredisResp2();
  console.log('node-redis (RESP3) and ioredis, pub/sub included: ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
