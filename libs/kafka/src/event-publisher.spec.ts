import { describe, expect, it } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { hazardReportedTopic } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';
import { BROKER_REFUSED, EventPublisher, InvalidEventError, MESSAGE_TOO_LARGE, WITHDRAWN } from './event-publisher';

type Record = { topic: string; acks?: number; messages: { key: unknown; value: unknown }[] };

/**
 * A client whose producer records each request it is asked to send (a `send`, or a `sendBatch` of
 * several topics), or fails like an unreachable broker; `refuse` makes it refuse a request holding a
 * message whose key it names, as the broker refuses a message larger than its limit; `gate` holds
 * every request until released.
 */
function stubKafka(fail: boolean, options: { refuse?: string; gate?: () => Promise<void> } = {}) {
  const sent: Record[] = [];
  const requests: Record[][] = [];
  const deliver = async (records: Record[]) => {
    await options.gate?.();
    if (fail) throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    if (options.refuse && records.some((r) => r.messages.some((m) => m.key === options.refuse))) {
      throw Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE' });
    }
    requests.push(records);
    sent.push(...records);
    return [];
  };
  const kafka = {
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: (record: Record) => deliver([record]),
      sendBatch: ({ acks, topicMessages }: { acks: number; topicMessages: Record[] }) => deliver(topicMessages.map((t) => ({ ...t, acks }))),
    }),
  } as unknown as Kafka;
  return { kafka, sent, requests };
}

/** A stable UUID for a name, as the contract wants report ids to be. */
function id(name: string): string {
  const hex = Buffer.from(name).toString('hex').padEnd(12, '0').slice(0, 12);
  return `00000000-0000-4000-8000-${hex}`;
}

const payload = {
  hazardId: '0b9f1a7e-3c2d-4e5f-8a9b-0c1d2e3f4a5b',
  category: 'rockfall' as const,
  severity: 'high' as const,
  lon: 1.52,
  lat: 42.5,
  reportedAt: '2026-11-20T08:14:31Z',
};

describe(EventPublisher.name, () => {
  it('wraps the payload in the envelope, keys it by the contract and prefixes the topic', async () => {
    const { kafka, sent } = stubKafka(false);
    const value = await new EventPublisher(kafka, 'run1', 'ingest-gateway').publish(hazardReportedTopic, payload, { correlationId: 'c-1' });
    expect(value).toMatchObject({ schemaVersion: 1, source: 'ingest-gateway', correlationId: 'c-1', payload });
    expect(sent).toEqual([{ topic: 'run1.roadloop.hazard.reported.v1', acks: -1, messages: [expect.objectContaining({ key: payload.hazardId })] }]);
  });

  it('refuses to publish a value that breaks its schema, naming the field', async () => {
    const { kafka, sent } = stubKafka(false);
    const publishing = new EventPublisher(kafka, '', 'x').publish(hazardReportedTopic, { ...payload, lat: 91 }, { correlationId: 'c' });
    await expect(publishing).rejects.toThrow(InvalidEventError);
    await expect(publishing).rejects.toThrow(/payload\.lat/);
    expect(sent).toEqual([]);
  });

  it('turns an unreachable broker into a retriable "unavailable" error (503 at the HTTP edge)', async () => {
    const { kafka } = stubKafka(true);
    const publishing = new EventPublisher(kafka, '', 'x').publish(hazardReportedTopic, payload, { correlationId: 'c' });
    await expect(publishing).rejects.toBeInstanceOf(AppError);
    await expect(publishing).rejects.toMatchObject({ kind: 'unavailable', code: 'BROKER_UNAVAILABLE' });
  });

  it('sends what callers publish while a request is in flight together in the next request, in order', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const { kafka, requests } = stubKafka(false, { gate: () => (calls++ === 0 ? held : Promise.resolve()) });
    const publisher = new EventPublisher(kafka, '', 'x');
    const first = publisher.publish(hazardReportedTopic, payload, { correlationId: 'c-0' });
    await new Promise((resolve) => setImmediate(resolve));
    const later = [1, 2, 3].map((n) => publisher.publish(hazardReportedTopic, { ...payload, hazardId: id(`h-${n}`) }, { correlationId: `c-${n}` }));
    release();
    await Promise.all([first, ...later]);
    expect(requests.map((r) => r.flatMap((t) => t.messages.map((m) => m.key)))).toEqual([[payload.hazardId], [id('h-1'), id('h-2'), id('h-3')]]);
  });

  it('fails only the send whose message the broker refuses as too large when sends went together', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const { kafka, sent } = stubKafka(false, { refuse: id('h-big'), gate: () => (calls++ === 0 ? held : Promise.resolve()) });
    const publisher = new EventPublisher(kafka, '', 'x');
    const first = publisher.publish(hazardReportedTopic, payload, { correlationId: 'c-0' });
    await new Promise((resolve) => setImmediate(resolve));
    const big = publisher.publish(hazardReportedTopic, { ...payload, hazardId: id('h-big') }, { correlationId: 'c-big' });
    const small = publisher.publish(hazardReportedTopic, { ...payload, hazardId: id('h-small') }, { correlationId: 'c-small' });
    release();
    await expect(big).rejects.toMatchObject({ kind: 'invalid', code: MESSAGE_TOO_LARGE });
    await expect(small).resolves.toMatchObject({ correlationId: 'c-small' });
    await first;
    expect(sent.flatMap((r) => r.messages.map((m) => m.key))).toEqual([payload.hazardId, id('h-small')]);
  });

  it('publishes a batch of events each with its own correlation in one request', async () => {
    const { kafka, requests } = stubKafka(false);
    const values = await new EventPublisher(kafka, '', 'x').publishEach(hazardReportedTopic, [
      { payload, options: { correlationId: 'c-a' } },
      { payload: { ...payload, hazardId: id('h-2') }, options: { correlationId: 'c-b' } },
    ]);
    expect(values.map((v) => v.correlationId)).toEqual(['c-a', 'c-b']);
    expect(requests).toHaveLength(1);
    expect(requests[0][0].messages).toHaveLength(2);
  });

  it('answers a refusal the broker marks final as BROKER_REFUSED, not as the broker being away', async () => {
    const kafka = {
      producer: () => ({
        connect: async () => undefined,
        sendBatch: async () => {
          throw Object.assign(new Error('Not authorized to access topics: [Topic authorization failed]'), { type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false });
        },
      }),
    } as unknown as Kafka;
    await expect(new EventPublisher(kafka, '', 'x').publish(hazardReportedTopic, payload, { correlationId: 'c' })).rejects.toMatchObject({ kind: 'unavailable', code: BROKER_REFUSED });
  });

  it('does not merge waiting sends past the byte limit of a request', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const { kafka, requests } = stubKafka(false, { gate: () => (calls++ === 0 ? held : Promise.resolve()) });
    const publisher = new EventPublisher(kafka, '', 'x');
    const first = publisher.send('t', [{ key: 'k0', value: 'x' }]);
    await new Promise((resolve) => setImmediate(resolve));
    const big = 'y'.repeat(300 * 1024);
    const later = ['k1', 'k2', 'k3'].map((key) => publisher.send('t', [{ key, value: big }]));
    release();
    await Promise.all([first, ...later]);
    expect(requests.map((r) => r.flatMap((t) => t.messages.map((m) => m.key)))).toEqual([['k0'], ['k1'], ['k2'], ['k3']]);
  });

  it('sends one send larger than a request as several requests, in order, and resolves when all went', async () => {
    const { kafka, requests } = stubKafka(false);
    const value = 'v'.repeat(200 * 1024);
    const keys = ['a', 'b', 'c', 'd', 'e'];
    await new EventPublisher(kafka, '', 'x').send('t', keys.map((key) => ({ key, value, headers: { 'x-event-id': key } })));
    // 512 KB a request: two values of 200 KB fit, a third does not.
    expect(requests.map((r) => r.flatMap((t) => t.messages.map((m) => m.key)))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('counts keys and headers in a request, not only values', async () => {
    const { kafka, requests } = stubKafka(false);
    // 3,000 messages of 1-byte values with 200 bytes of headers each: about 800 KB as counted, more than one request holds.
    const headers = { 'x-correlation-id': 'c'.repeat(200) };
    await new EventPublisher(kafka, '', 'x').send('t', Array.from({ length: 3000 }, (_, i) => ({ key: `k${i}`, value: 'v', headers })));
    expect(requests.length).toBe(2);
    expect(requests.flatMap((r) => r.flatMap((t) => t.messages.map((m) => m.key)))).toEqual(Array.from({ length: 3000 }, (_, i) => `k${i}`));
  });

  it('fails a large send with the part the broker refused, and never sends the parts after it', async () => {
    const { kafka, requests } = stubKafka(false, { refuse: 'c' });
    const value = 'v'.repeat(200 * 1024);
    const sending = new EventPublisher(kafka, '', 'x').send('t', ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key, value })));
    await expect(sending).rejects.toMatchObject({ kind: 'invalid', code: MESSAGE_TOO_LARGE });
    await new Promise((resolve) => setImmediate(resolve));
    expect(requests.map((r) => r.flatMap((t) => t.messages.map((m) => m.key)))).toEqual([['a', 'b']]);
  });

  it('withdraws a large send while all its parts wait; once one part is in a request, the rest go too', async () => {
    let release!: () => void;
    let held = new Promise<void>((resolve) => (release = resolve));
    const { kafka, requests } = stubKafka(false, { gate: () => held });
    const publisher = new EventPublisher(kafka, '', 'x');
    const value = 'v'.repeat(200 * 1024);
    const first = publisher.send('t', [{ key: 'k0', value: 'x' }]);
    await new Promise((resolve) => setImmediate(resolve));
    // Both wait behind the request in flight: the first is withdrawn whole, the second sent whole.
    const waiting = new AbortController();
    const withdrawnSend = publisher.send('t', ['w1', 'w2', 'w3'].map((key) => ({ key, value })), waiting.signal);
    const kept = new AbortController();
    const keptSend = publisher.send('t', ['s1', 's2', 's3'].map((key) => ({ key, value })), kept.signal);
    await new Promise((resolve) => setImmediate(resolve));
    waiting.abort();
    await expect(withdrawnSend).rejects.toMatchObject({ code: WITHDRAWN });
    // Let the request in flight go, and hold the next (the kept send's first part) to abort meanwhile.
    const releaseFirst = release;
    held = new Promise<void>((resolve) => (release = resolve));
    releaseFirst();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    kept.abort();
    release();
    held = Promise.resolve();
    await expect(keptSend).resolves.toBeUndefined();
    expect(requests.map((r) => r.flatMap((t) => t.messages.map((m) => m.key)))).toEqual([['k0'], ['s1', 's2'], ['s3']]);
  });

  it('withdraws a send still waiting when its signal aborts, never sending it; one already in a request goes on', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const { kafka, requests } = stubKafka(false, { gate: () => (calls++ === 0 ? held : Promise.resolve()) });
    const publisher = new EventPublisher(kafka, '', 'x');
    const inRequest = new AbortController();
    const waiting = new AbortController();
    const first = publisher.send('t', [{ key: 'k-in', value: 'a' }], inRequest.signal);
    await new Promise((resolve) => setImmediate(resolve));
    const second = publisher.send('t', [{ key: 'k-waiting', value: 'b' }], waiting.signal);
    const third = publisher.send('t', [{ key: 'k-stays', value: 'c' }]);
    inRequest.abort();
    waiting.abort();
    await expect(second).rejects.toMatchObject({ kind: 'unavailable', code: WITHDRAWN });
    release();
    await expect(first).resolves.toBeUndefined();
    await third;
    expect(requests.map((r) => r.flatMap((t) => t.messages.map((m) => m.key)))).toEqual([['k-in'], ['k-stays']]);
  });
});
