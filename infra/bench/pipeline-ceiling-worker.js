/**
 * The bare kafkajs ceiling of `infra/bench/pipeline.js`, run in a process of its own (like a
 * service): one consumer (eachBatch) reads a topic and produces each batch's messages to another
 * topic in one send (acks=-1, one request in flight like the services' publisher), resolving and
 * committing offsets as it goes. Tells its parent when it has read the number of messages asked for.
 *
 * Also one stage of the bare chain (the pipeline's topics with no work done): it may read several
 * topics, each forwarding to another topic or to none, and forwarding either every message or the
 * message whose number (the last part of its correlation id, `…-N`) is a multiple of `every`, so
 * that the parent knows how many each stage is to read.
 *
 * It tells its parent it is ready once its consumer has joined its group, and handles nothing before
 * the parent says `go` (heartbeating meanwhile): the other stages' start-up is then outside the time
 * measured. It counts each message once, by topic and number. Its `done` message carries the CPU
 * time the process used from `go` on.
 */
'use strict';
const { Kafka, Partitioners, logLevel } = require('kafkajs');

async function main() {
  /** @type {{ brokers: string[], groupId: string, messages: number, reads: { from: string, to?: string, every?: number }[] }} */
  const { brokers, groupId, messages, reads } = JSON.parse(process.env.BENCH_CEILING);
  const byTopic = new Map(reads.map((r) => [r.from, r]));
  const kafka = new Kafka({ clientId: groupId, brokers, logLevel: logLevel.ERROR });
  const producer = reads.some((r) => r.to) ? kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1 }) : null;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 1_000 });
  let cpuAtGo;
  process.on('message', async (m) => {
    if (m === 'go') {
      cpuAtGo = process.cpuUsage();
      return;
    }
    if (m !== 'stop') return;
    await consumer.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    process.exit(0);
  });
  await producer?.connect();
  await consumer.connect();
  consumer.on(consumer.events.GROUP_JOIN, () => process.send({ ready: true }));
  await consumer.subscribe({ topics: [...byTopic.keys()], fromBeginning: true });
  // Each message counted once (by topic and number), should one come again after a rejoin.
  const read = new Set();
  let firstAt;
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
      // Until the parent says go, with heartbeats, so that the group keeps this member meanwhile.
      while (cpuAtGo === undefined) {
        await heartbeat();
        await new Promise((ok) => setTimeout(ok, 50));
      }
      if (!batch.messages.length) return;
      firstAt ??= Date.now();
      const { to, every = 1 } = byTopic.get(batch.topic);
      const out = to ? batch.messages.filter((m) => every === 1 || numberOf(m) % every === 0) : [];
      if (out.length) await producer.send({ topic: to, acks: -1, messages: out.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
      await heartbeat();
      const before = read.size;
      for (const m of batch.messages) read.add(`${batch.topic}:${numberOf(m)}`);
      const count = read.size;
      if (before < messages && count >= messages) {
        const cpu = process.cpuUsage(cpuAtGo);
        process.send({ done: true, count, firstAt, lastAt: Date.now(), cpuMs: (cpu.user + cpu.system) / 1000 });
      }
    },
  });
}

/** The message's number: the last part of its correlation id (`…-N`). */
function numberOf(message) {
  const id = String(message.headers?.['x-correlation-id'] ?? '');
  const n = Number(id.slice(id.lastIndexOf('-') + 1));
  if (!id || !Number.isInteger(n)) throw new Error(`bench ceiling worker: a message without a numbered correlation id (${id || 'none'})`);
  return n;
}

main().catch((err) => {
  process.stderr.write(`bench ceiling worker: ${err.stack ?? err}\n`);
  process.exit(1);
});
