/**
 * The bare kafkajs ceiling of `infra/bench/pipeline.js`, run in a process of its own (like a
 * service): one consumer (eachBatch) reads its topics and produces each batch's messages to another
 * topic in one send (acks=-1, one request in flight like the services' publisher), resolving and
 * committing offsets as it goes. Tells its parent when it has moved the number of messages asked for.
 *
 * Also one stage of the bare chain (the pipeline's topics with no work done): `to` absent, it only
 * reads (as the task stage reads report-matched); with `every` N, it produces one message in N (as
 * the segments stage announces a few of the reports it reads).
 */
'use strict';
const { Kafka, Partitioners, logLevel } = require('kafkajs');

async function main() {
  const { brokers, from, to, groupId, messages, every = 1 } = JSON.parse(process.env.BENCH_CEILING);
  const kafka = new Kafka({ clientId: groupId, brokers, logLevel: logLevel.ERROR });
  const producer = to ? kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1 }) : null;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 1_000 });
  process.on('message', async (m) => {
    if (m !== 'stop') return;
    await consumer.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    process.exit(0);
  });
  await producer?.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [from], fromBeginning: true });
  let count = 0;
  let firstAt;
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
      if (!batch.messages.length) return;
      firstAt ??= Date.now();
      const out = producer ? batch.messages.filter((m) => Number(m.offset) % every === 0) : [];
      if (out.length) await producer.send({ topic: to, acks: -1, messages: out.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
      await heartbeat();
      const before = count;
      count += batch.messages.length;
      if (before < messages && count >= messages) process.send({ done: true, count, firstAt, lastAt: Date.now() });
    },
  });
}

main().catch((err) => {
  process.stderr.write(`bench ceiling worker: ${err.stack ?? err}\n`);
  process.exit(1);
});
