import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  DEAD_LETTER_HEADERS,
  accidentReportedTopic,
  deadLetterTopic,
  hazardReportedTopic,
  reportMatchedTopic,
  topicName,
} from '@roadloop/contracts';
import { EventPublisher, KafkaConsumerFactory, KafkaOptions, ensureTopics } from '@roadloop/kafka';
import { openDatabase } from '@roadloop/persistence';
import { waitFor } from '../../../../test/support/wait-for';
import { infra, runId } from '../../../../test/support/environment';
import { brokerReady } from '../../../../test/support/kafka-probe';
import { AccidentRepository } from '../accidents/accident.repository';
import { RiskConfig } from '../config';
import { HazardRepository } from '../hazards/hazard.repository';
import { RISK_MIGRATIONS } from '../migrations';
import { SegmentMatcherHolder } from '../segments/segment-matcher.holder';
import { SegmentRepository } from '../segments/segment.repository';
import { ReportIntakeConsumer } from './report-intake.consumer';
import { ReportIntakeService } from './report-intake.service';

jest.setTimeout(120_000);

interface Received {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * The report intake on the machine's broker and database, with this run's own topics (one partition
 * each, so that messages are handled in the order sent), group and schema; the consumer retries as
 * in production (5 attempts).
 */
describe(ReportIntakeConsumer.name, () => {
  const id = runId('rintake');
  const brokers = infra.kafkaBrokers.split(',');
  const kafka = new Kafka({ clientId: id, brokers, logLevel: logLevel.NOTHING });
  const options: KafkaOptions = { brokers, clientId: id, topicPrefix: id, source: 'int-test', partitions: 1, maxAttempts: 5, createTopics: false };
  const topics = {
    hazards: topicName(hazardReportedTopic, id),
    accidents: topicName(accidentReportedTopic, id),
    matched: topicName(reportMatchedTopic, id),
    dead: topicName(deadLetterTopic, id),
  };
  let db: DataSource;
  let publisher: EventPublisher;
  let factory: KafkaConsumerFactory;
  let reader: Consumer;
  const seen: Record<'matched' | 'dead', Received[]> = { matched: [], dead: [] };

  const envelope = (eventId = randomUUID()) => ({ eventId, occurredAt: new Date().toISOString(), schemaVersion: 1, source: 'police-system', correlationId: `${id}-c` });
  const hazard = (over: Record<string, unknown> = {}) => ({
    hazardId: randomUUID(), category: 'rockfall', severity: 'high', lon: 1.5005, lat: 42.5001, reportedAt: '2026-11-20T08:14:31+01:00', ...over,
  });
  const accident = (over: Record<string, unknown> = {}) => ({
    accidentId: randomUUID(), occurredAt: '2026-11-19T17:32:00+01:00', lon: 1.5005, lat: 42.5001,
    deaths: 0, seriousInjuries: 1, slightInjuries: 0, propertyDamageOnly: false, vehicles: 2, ...over,
  });
  const send = (topic: string, values: { payload: Record<string, unknown> }[], key?: (v: { payload: Record<string, unknown> }) => string) =>
    publisher.send(
      topic,
      values.map((v) => ({ key: key ? key(v) : String(v.payload.hazardId ?? v.payload.accidentId), value: JSON.stringify(v) })),
    );

  const matchedIds = () => seen.matched.map((m) => JSON.parse(m.value!.toString()) as { payload: { hazardId?: string; accidentId?: string } }).map((m) => m.payload.hazardId ?? m.payload.accidentId);
  const lettersFor = (value: object) => seen.dead.filter((d) => d.value?.toString() === JSON.stringify(value));
  const rows = (table: 'hazard' | 'accident', reportId: unknown): Promise<{ id: string; event_id: string }[]> =>
    db.query(`SELECT id, event_id FROM ${table} WHERE id = $1`, [reportId]);
  /** Waits until each value has its dead letter (none may have more), and gives their codes. */
  const deadLettered = (...values: object[]) =>
    waitFor(`${values.length} dead letters`, () => (values.every((v) => lettersFor(v).length > 0) ? values.map((v) => lettersFor(v)) : undefined));

  beforeAll(async () => {
    db = await openDatabase({ url: infra.databaseUrl, schema: id, entities: [], migrations: RISK_MIGRATIONS, poolSize: 3 }, true);
    await db.query(
      `INSERT INTO road_segment (id, osm_way_id, piece_index, road_class, length_m, geom, exposure_score, exposure_level)
       VALUES ('w1-0', 1, 0, 'tertiary', 82, ST_SetSRID(ST_MakeLine(ST_MakePoint(1.5, 42.5), ST_MakePoint(1.501, 42.5)), 4326), 12, 'medium')`,
    );
    await ensureTopics(kafka, Object.values(topics).map((topic) => ({ topic, partitions: 1 })));
    publisher = new EventPublisher(kafka, id, 'risk-service');
    await publisher.connect();
    reader = kafka.consumer({ groupId: `${id}.reader` });
    await reader.connect();
    await reader.subscribe({ topics: [topics.matched, topics.dead], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        seen[topic === topics.matched ? 'matched' : 'dead'].push({ key: message.key?.toString() ?? null, value: message.value, headers });
      },
    });
    const config = { KAFKA_GROUP_ID: 'risk-service', MATCH_TOLERANCE_M: 50, MATCHER_REFRESH_MS: 60_000 } as RiskConfig;
    const matcher = new SegmentMatcherHolder(new SegmentRepository(db), config);
    const intake = new ReportIntakeService(matcher, new HazardRepository(db), new AccidentRepository(db), publisher);
    factory = new KafkaConsumerFactory(kafka, options, publisher, brokerReady);
    new ReportIntakeConsumer(factory, intake, config).onApplicationBootstrap();
    await waitFor('the intake consumer to join its group', () => factory.allRunning || undefined);
  });

  afterAll(async () => {
    await factory?.onApplicationShutdown();
    await reader?.disconnect();
    await publisher?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const created = (await admin.listTopics()).filter((t) => t.startsWith(`${id}.`));
    if (created.length) await admin.deleteTopics({ topics: created });
    await admin.disconnect();
    await db?.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`);
    await db?.destroy();
  });

  it('dead-letters a hazard with a NUL as INVALID_SCHEMA at once, and one keyed otherwise as WRONG_KEY; the report behind them is handled', async () => {
    const poison = { ...envelope(), payload: hazard({ description: 'x \u0000' }) };
    const wronglyKeyed = { ...envelope(), payload: hazard() };
    const valid = { ...envelope(), payload: hazard() };
    await send(topics.hazards, [poison]);
    await send(topics.hazards, [wronglyKeyed], () => 'w1-0');
    await send(topics.hazards, [valid]);

    await waitFor('the valid report published as matched', () => (matchedIds().includes(valid.payload.hazardId as string) ? true : undefined));
    const [[letter], [keyLetter]] = await deadLettered(poison, wronglyKeyed);
    expect(letter.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('INVALID_SCHEMA');
    expect(letter.headers[DEAD_LETTER_HEADERS.reason]).toMatch(/payload\.description: must not contain NUL/);
    // At most one attempt at handling it (none here): the partition was not held.
    expect(Number(letter.headers[DEAD_LETTER_HEADERS.attempts])).toBeLessThanOrEqual(1);
    expect(keyLetter.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('WRONG_KEY');
    expect(keyLetter.key).toBe('w1-0');
    expect(await rows('hazard', poison.payload.hazardId)).toEqual([]);
    expect(await rows('hazard', wronglyKeyed.payload.hazardId)).toEqual([]);
    expect(await rows('hazard', valid.payload.hazardId)).toHaveLength(1);
    expect(lettersFor(valid)).toEqual([]);
  });

  it('treats a reused eventId as a redelivery when the content is the same, and dead-letters it otherwise, publishing nothing for it', async () => {
    const first = { ...envelope(), payload: hazard({ category: 'pothole', severity: 'low' }) };
    const otherReportSameEvent = { ...envelope(first.eventId), payload: hazard({ category: 'rockfall', severity: 'critical' }) };
    const sameReportOtherContent = { ...envelope(first.eventId), payload: { ...first.payload, severity: 'critical' } };
    const sameReportNewEventOtherContent = { ...envelope(), payload: { ...first.payload, severity: 'high' } };
    const sameReportNewEvent = { ...envelope(), payload: first.payload };
    const marker = { ...envelope(), payload: hazard() };
    await send(topics.hazards, [first, first, otherReportSameEvent, sameReportOtherContent, sameReportNewEventOtherContent, sameReportNewEvent, marker]);

    await waitFor('the marker published', () => (matchedIds().includes(marker.payload.hazardId as string) ? true : undefined));
    await deadLettered(otherReportSameEvent, sameReportOtherContent, sameReportNewEventOtherContent);
    expect(lettersFor(first)).toEqual([]);
    expect(lettersFor(sameReportNewEvent)).toEqual([]);
    expect(lettersFor(otherReportSameEvent).map((d) => [d.headers[DEAD_LETTER_HEADERS.errorCode], d.headers[DEAD_LETTER_HEADERS.attempts]])).toEqual([['DUPLICATE_EVENT_ID', '1']]);
    expect(lettersFor(otherReportSameEvent)[0].headers[DEAD_LETTER_HEADERS.reason]).toBe(
      `event ${first.eventId} was recorded before for hazard ${first.payload.hazardId}, not ${otherReportSameEvent.payload.hazardId}: every event needs an id of its own`,
    );
    expect(lettersFor(sameReportOtherContent).map((d) => d.headers[DEAD_LETTER_HEADERS.errorCode])).toEqual(['DUPLICATE_EVENT_ID']);
    expect(lettersFor(sameReportNewEventOtherContent).map((d) => d.headers[DEAD_LETTER_HEADERS.errorCode])).toEqual(['DUPLICATE_REPORT_ID']);

    // One row, as first sent; the refused report is not recorded and never announced downstream.
    expect(await db.query(`SELECT id, event_id, severity FROM hazard WHERE id = $1`, [first.payload.hazardId])).toEqual([
      { id: first.payload.hazardId, event_id: first.eventId, severity: 'low' },
    ]);
    expect(await rows('hazard', otherReportSameEvent.payload.hazardId)).toEqual([]);
    expect(matchedIds()).not.toContain(otherReportSameEvent.payload.hazardId);
    // Each redelivery is announced again (a crash after the insert must not lose the event), always as recorded.
    const announced = seen.matched.map((m) => JSON.parse(m.value!.toString()) as { payload: { hazardId?: string; severity?: string } }).filter((m) => m.payload.hazardId === first.payload.hazardId);
    expect(announced.map((m) => m.payload.severity)).toEqual(['low', 'low', 'low']);
  });

  it('judges the reports of a later run whose event id or hazard id a recorded report holds, each on what holds it', async () => {
    const first = { ...envelope(), payload: hazard({ category: 'landslide' }) };
    await send(topics.hazards, [first]);
    await waitFor('the first report recorded', async () => ((await rows('hazard', first.payload.hazardId)).length ? true : undefined));

    // A later run: the insert of the run skips these three (only the event id taken; only the hazard
    // id taken; both, a redelivery), and each is judged alone; the new report beside them is recorded.
    const sameEventOnly = { ...envelope(first.eventId), payload: hazard({ category: 'flooded_road' }) };
    const sameHazardOnly = { ...envelope(), payload: { ...first.payload, severity: 'critical' } };
    const redelivery = { ...first };
    const fresh = { ...envelope(), payload: hazard() };
    await send(topics.hazards, [sameEventOnly, sameHazardOnly, redelivery, fresh]);

    await waitFor('the new report published', () => (matchedIds().includes(fresh.payload.hazardId as string) ? true : undefined));
    await deadLettered(sameEventOnly, sameHazardOnly);
    expect(lettersFor(sameEventOnly).map((d) => d.headers[DEAD_LETTER_HEADERS.errorCode])).toEqual(['DUPLICATE_EVENT_ID']);
    expect(lettersFor(sameHazardOnly).map((d) => d.headers[DEAD_LETTER_HEADERS.errorCode])).toEqual(['DUPLICATE_REPORT_ID']);
    expect(await rows('hazard', sameEventOnly.payload.hazardId)).toEqual([]);
    expect(await rows('hazard', first.payload.hazardId)).toEqual([{ id: first.payload.hazardId, event_id: first.eventId }]);
    expect(await rows('hazard', fresh.payload.hazardId)).toEqual([{ id: fresh.payload.hazardId, event_id: fresh.eventId }]);
    // The redelivery is announced again, as recorded.
    expect(matchedIds().filter((hazardId) => hazardId === first.payload.hazardId)).toHaveLength(2);
  });

  it('judges an eventId that another partition recorded between its read of the claims and its insert as DUPLICATE_EVENT_ID', async () => {
    const config = { MATCH_TOLERANCE_M: 50, MATCHER_REFRESH_MS: 60_000 } as RiskConfig;
    // The race's window: the first read of the claims comes back before the other report is written.
    class RacedHazards extends HazardRepository {
      private reads = 0;
      override claims(...args: Parameters<HazardRepository['claims']>) {
        return this.reads++ === 0 ? Promise.resolve([]) : super.claims(...args);
      }
    }
    const raced = new ReportIntakeService(new SegmentMatcherHolder(new SegmentRepository(db), config), new RacedHazards(db), new AccidentRepository(db), publisher);
    const first = { ...envelope(), payload: hazard() };
    await send(topics.hazards, [first]);
    await waitFor('the first report recorded', async () => ((await rows('hazard', first.payload.hazardId)).length ? true : undefined));

    const other = { ...envelope(first.eventId), payload: hazard({ category: 'flooded_road' }) };
    await expect(raced.intakeHazard(other as never)).rejects.toMatchObject({ code: 'DUPLICATE_EVENT_ID' });
    expect(await rows('hazard', other.payload.hazardId)).toEqual([]);
  });

  it('dead-letters a crash reusing an eventId or an externalId, and one with an unknown field, recording none of them', async () => {
    const crash = { ...envelope(), payload: accident({ externalId: `AD-${id}` }) };
    const reusedEvent = { ...envelope(crash.eventId), payload: accident({ deaths: 1 }) };
    const reusedExternalId = { ...envelope(), payload: accident({ externalId: `AD-${id}`, vehicles: 1 }) };
    const typo = { ...envelope(), payload: { ...accident(), weathr: 'rain' } };
    const marker = { ...envelope(), payload: accident() };
    await send(topics.accidents, [crash, crash, reusedEvent, reusedExternalId, typo, marker]);

    await waitFor('the marker published', () => (matchedIds().includes(marker.payload.accidentId as string) ? true : undefined));
    await deadLettered(reusedEvent, reusedExternalId, typo);
    expect(lettersFor(crash)).toEqual([]);
    expect(lettersFor(reusedEvent).map((d) => d.headers[DEAD_LETTER_HEADERS.errorCode])).toEqual(['DUPLICATE_EVENT_ID']);
    expect(lettersFor(reusedExternalId).map((d) => d.headers[DEAD_LETTER_HEADERS.errorCode])).toEqual(['DUPLICATE_EXTERNAL_ID']);
    expect(lettersFor(reusedExternalId)[0].headers[DEAD_LETTER_HEADERS.reason]).toMatch(new RegExp(`external id AD-${id} was recorded before for accident ${crash.payload.accidentId}`));
    expect(lettersFor(typo).map((d) => [d.headers[DEAD_LETTER_HEADERS.errorCode], d.headers[DEAD_LETTER_HEADERS.reason]])).toEqual([
      ['INVALID_SCHEMA', `${accidentReportedTopic.topic}: payload.weathr: unknown field`],
    ]);
    for (const refused of [reusedEvent, reusedExternalId, typo]) {
      expect(await rows('accident', refused.payload.accidentId)).toEqual([]);
      expect(matchedIds()).not.toContain(refused.payload.accidentId);
    }
    expect(await rows('accident', crash.payload.accidentId)).toHaveLength(1);
  });
});
