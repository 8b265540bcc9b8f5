import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { EventPublisher } from '@roadloop/kafka';
import { TransactionRunner, closeRedis, createRedis, openDatabase, waitForRedis } from '@roadloop/persistence';
import { infra, runId } from '../../../../test/support/environment';
import { deleteRedisPrefix } from '../../../../test/support/stores';
import { AccidentRepository } from '../accidents/accident.repository';
import { RiskConfig } from '../config';
import { HazardRepository } from '../hazards/hazard.repository';
import { RISK_MIGRATIONS } from '../migrations';
import { RoadsideInventoryRepository } from '../roadside/roadside-inventory.repository';
import { RankingRepository } from '../risk/ranking.repository';
import { RankingStore } from '../risk/ranking.store';
import { RISK_MODEL } from '../risk/risk-model';
import { RiskService } from '../risk/risk.service';
import { SegmentRiskRepository } from '../risk/segment-risk.repository';
import { TaskStateRepository } from '../tasks/task-state.repository';
import { ProfileRelay } from './profile-relay';
import { ReachCache } from './reach.cache';
import { SegmentRepository } from './segment.repository';

jest.setTimeout(120_000);

/** More than two of the relay's batches (500), so that two relays started together meet on the same rows. */
const SEGMENTS = 1_234;

/**
 * Two instances of the risk service share a schema: their profile relays, started together after an
 * import and a model change, announce each segment's profile once and re-score each segment once.
 */
describe(`${ProfileRelay.name} of two instances on one schema`, () => {
  const schema = runId('relay');
  const prefix = `${schema}:`;
  const sources: DataSource[] = [];
  const redises: Redis[] = [];
  const published: string[] = [];
  const announced: string[] = [];

  async function instance(): Promise<ProfileRelay> {
    const db = await openDatabase({ url: infra.databaseUrl, schema, entities: [], migrations: RISK_MIGRATIONS, poolSize: 3 }, true);
    sources.push(db);
    const redis = createRedis({ url: infra.redisUrl, keyPrefix: prefix });
    redises.push(redis);
    expect(await waitForRedis(redis)).toBe(true);
    const publisher = {
      publishMany: async (_contract: unknown, payloads: { segmentId: string }[]) => {
        published.push(...payloads.map((p) => p.segmentId));
        return payloads.length;
      },
      publishEach: async (_contract: unknown, events: { payload: { segmentId: string } }[]) => {
        announced.push(...events.map((e) => e.payload.segmentId));
        return [];
      },
    } as unknown as EventPublisher;
    const tx = new TransactionRunner(db);
    const config = { DUPLICATE_HAZARD_DISTANCE_M: 50, DUPLICATE_HAZARD_DAYS: 7, REACH_CACHE_SEGMENTS: 1_000 } as RiskConfig;
    const risk = new RiskService(
      tx, new SegmentRepository(db), new HazardRepository(db), new AccidentRepository(db), new TaskStateRepository(db),
      new SegmentRiskRepository(db), new RoadsideInventoryRepository(db), new RankingStore(redis, new RankingRepository(db)), publisher,
      config, new ReachCache(new SegmentRepository(db), config),
    );
    return new ProfileRelay(tx, new SegmentRepository(db), publisher, risk, { PROFILE_RELAY_MS: 3_600_000 } as RiskConfig);
  }

  let relays: ProfileRelay[];

  beforeAll(async () => {
    relays = [await instance(), await instance()];
    const db = sources[0];
    // An import: segments not announced yet, scored by an earlier model version, waiting for a re-score.
    await db.query(
      `INSERT INTO road_segment (id, osm_way_id, piece_index, road_class, name, length_m, geom, attributes, exposure_score, exposure_level, rescore_pending)
       SELECT 'w' || i || '-0', i, 0, 'tertiary', 'Way ' || i, 300,
              ST_SetSRID(ST_MakeLine(ST_MakePoint(1.5 + i * 0.001, 42.5), ST_MakePoint(1.5 + i * 0.001, 42.5027)), 4326),
              '{"waterSide":null,"waterDistanceM":null,"tunnel":false,"cliffSide":null}'::jsonb, 12, 'medium', true
         FROM generate_series(1, $1) AS i`,
      [SEGMENTS],
    );
    await db.query(
      `INSERT INTO segment_risk (segment_id, score, level, alarm, factors, revision, model_version, published_level, published_revision)
       SELECT id, 0.001, 'low', 'none', '[]'::jsonb, 0, 'an-earlier-model', 'low', 0 FROM road_segment`,
    );
  });

  afterAll(async () => {
    await sources[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    for (const db of sources) await db.destroy();
    for (const redis of redises) await closeRedis(redis);
    await deleteRedisPrefix(prefix);
  });

  it('announces each profile once and re-scores each segment once between them', async () => {
    await Promise.all(relays.map((r) => r.tick()));

    expect(published).toHaveLength(SEGMENTS);
    expect(new Set(published).size).toBe(SEGMENTS);
    const [left] = await sources[0].query(`SELECT count(*) FILTER (WHERE NOT profile_published)::int AS profiles, count(*) FILTER (WHERE rescore_pending)::int AS rescores FROM road_segment`);
    expect(left).toEqual({ profiles: 0, rescores: 0 });
    // Each segment re-scored by this model once: one new revision, caused by the model change.
    const revisions: { segment_id: string; n: number }[] = await sources[0].query(
      `SELECT segment_id, count(*)::int AS n FROM risk_history WHERE cause->>'kind' = 'model' AND cause->>'id' = $1 GROUP BY segment_id`,
      [RISK_MODEL.version],
    );
    expect(revisions).toHaveLength(SEGMENTS);
    expect(revisions.every((r) => r.n === 1)).toBe(true);
    const [risk] = await sources[0].query(`SELECT count(*) FILTER (WHERE model_version = $1)::int AS current, max(revision)::int AS top FROM segment_risk`, [RISK_MODEL.version]);
    expect(risk).toEqual({ current: SEGMENTS, top: 1 });
    // The level changes were announced once each, by whichever instance re-scored the segment.
    expect(announced.length).toBe(new Set(announced).size);
  });
});
