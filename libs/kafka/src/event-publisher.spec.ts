import { describe, expect, it } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { hazardReportedTopic } from '@roadloop/contracts';
import { AppError } from '@roadloop/http';
import { EventPublisher, InvalidEventError } from './event-publisher';

/** A client whose producer records what it is asked to send, or fails like an unreachable broker. */
function stubKafka(fail: boolean) {
  const sent: { topic: string; messages: { key: unknown; value: unknown }[] }[] = [];
  const kafka = {
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async (record: { topic: string; messages: { key: unknown; value: unknown }[] }) => {
        if (fail) throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
        sent.push(record);
        return [];
      },
    }),
  } as unknown as Kafka;
  return { kafka, sent };
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
});
