import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { deadLetterTopic, segmentJurisdictionTopic, topicName } from '@roadloop/contracts';
import { EventPublisher, KafkaConsumerFactory, KafkaOptions, ensureTopics } from '@roadloop/kafka';
import { closeRedis, createRedis, openDatabase } from '@roadloop/persistence';
import { infra, runId } from '../../../../test/support/environment';
import { brokerReady } from '../../../../test/support/kafka-probe';
import { waitFor } from '../../../../test/support/wait-for';
import { deleteRedisPrefix } from '../../../../test/support/stores';
import { RiskConfig } from '../config';
import { RISK_MIGRATIONS } from '../migrations';
import { RankingRepository } from '../risk/ranking.repository';
import { RankingStore } from '../risk/ranking.store';
import { SegmentJurisdictionConsumer } from './segment-jurisdiction.consumer';
import { SegmentJurisdictionRepository } from './segment-jurisdiction.repository';
import { SegmentJurisdictionService } from './segment-jurisdiction.service';

jest.setTimeout(90_000);

/** The consumer of segment.jurisdiction on the machine's broker, with this run's own topics, group, schema and Redis keys. */
describe(SegmentJurisdictionConsumer.name, () => {
  const id = runId('rjur');
  const brokers = infra.kafkaBrokers.split(',');
  const kafka = new Kafka({ clientId: id, brokers, logLevel: logLevel.NOTHING });
  const options: KafkaOptions = { brokers, clientId: id, topicPrefix: id, source: 'int-test', partitions: 1, maxAttempts: 2, createTopics: true };
  let db: DataSource;
  let redis: Redis;
  let publisher: EventPublisher;
  let factory: KafkaConsumerFactory;

  beforeAll(async () => {
    db = await openDatabase({ url: infra.databaseUrl, schema: id, entities: [], migrations: RISK_MIGRATIONS, poolSize: 2 }, true);
    redis = createRedis({ url: infra.redisUrl, keyPrefix: `${id}:` });
    await ensureTopics(kafka, [segmentJurisdictionTopic, deadLetterTopic].map((t) => ({ topic: topicName(t, id), partitions: 1 })));
    publisher = new EventPublisher(kafka, id, 'int-test');
    await publisher.connect();
    factory = new KafkaConsumerFactory(kafka, options, publisher, brokerReady);
  });

  afterAll(async () => {
    await factory?.onApplicationShutdown();
    await publisher?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${id}.`));
    if (topics.length) await admin.deleteTopics({ topics });
    await admin.disconnect();
    await db?.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`);
    await db?.destroy();
    if (redis) await closeRedis(redis);
    await deleteRedisPrefix(`${id}:`);
  });

  it('applies each revision once, ignores redeliveries and older revisions, and dead-letters an invalid assignment', async () => {
    await db.query(
      `INSERT INTO road_segment (id, osm_way_id, piece_index, road_class, length_m, geom, exposure_score, exposure_level)
       VALUES ('w1-0', 1, 0, 'tertiary', 100, ST_SetSRID(ST_MakeLine(ST_MakePoint(1.5, 42.5), ST_MakePoint(1.501, 42.5)), 4326), 12, 'medium')`,
    );
    await db.query(`INSERT INTO segment_risk (segment_id, score, level, factors) VALUES ('w1-0', 12, 'medium', '[]')`);
    const store = new RankingStore(redis, new RankingRepository(db));
    const service = new SegmentJurisdictionService(new SegmentJurisdictionRepository(db), store);
    new SegmentJurisdictionConsumer(factory, service, { KAFKA_GROUP_ID: 'risk-service' } as RiskConfig).onApplicationBootstrap();
    await waitFor('the jurisdiction consumer to join its group', () => factory.allRunning || undefined);

    const assignment = (jurisdictionId: string, revision: number) => ({ segmentId: 'w1-0', jurisdictionId, jurisdictionName: jurisdictionId.toUpperCase(), revision });
    const sent = await publisher.publish(segmentJurisdictionTopic, assignment('j-a', 2), { correlationId: 'c1' });
    // The same event delivered twice, then an older revision, then one the contract refuses: all after the first, in order.
    await publisher.send(topicName(segmentJurisdictionTopic, id), [{ key: 'w1-0', value: JSON.stringify(sent) }]);
    await publisher.publish(segmentJurisdictionTopic, assignment('j-b', 1), { correlationId: 'c2' });
    await publisher.send(topicName(segmentJurisdictionTopic, id), [{ key: 'w1-0', value: JSON.stringify({ ...sent, payload: { ...sent.payload, revision: 0 } }) }]);

    const [consumer] = factory.all;
    expect(consumer.groupId).toBe(`${id}.risk-service.jurisdictions`);
    const topic = topicName(segmentJurisdictionTopic, id);
    await waitFor('four messages handled', () => ((consumer.stats.consumed.get(topic) ?? 0) === 4 ? true : undefined), { timeoutMs: 40_000 });
    expect(consumer.stats.deadLettered.get(topic)).toBe(1);
    const rows = await db.query(`SELECT segment_id, jurisdiction_id, jurisdiction_name, revision FROM segment_jurisdiction`);
    expect(rows).toEqual([{ segment_id: 'w1-0', jurisdiction_id: 'j-a', jurisdiction_name: 'J-A', revision: 2 }]);
    expect((await store.top({ jurisdiction: 'j-a' }, 10)).items).toEqual([{ segmentId: 'w1-0', score: 12 }]);
    expect((await store.top({ jurisdiction: 'j-b' }, 10)).items).toEqual([]);

    await publisher.publish(segmentJurisdictionTopic, assignment('j-b', 3), { correlationId: 'c3' });
    // The ranking moves after the row's commit: wait for both.
    await waitFor('the newer revision applied and ranked', async () => {
      const [row] = await db.query(`SELECT revision FROM segment_jurisdiction WHERE segment_id = 'w1-0'`);
      return row.revision === 3 && (consumer.stats.consumed.get(topic) ?? 0) === 5 ? true : undefined;
    }, { timeoutMs: 40_000 });
    expect((await store.top({ jurisdiction: 'j-b' }, 10)).items).toEqual([{ segmentId: 'w1-0', score: 12 }]);
    expect((await store.top({ jurisdiction: 'j-a' }, 10)).items).toEqual([]);
  });
});
