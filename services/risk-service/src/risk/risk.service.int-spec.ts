import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { ReportMatchedEvent, SegmentRiskChangedV2, TaskChangedEvent, reportMatchedTopic, taskChangedTopic } from '@roadloop/contracts';
import type { EventPublisher } from '@roadloop/kafka';
import { TransactionRunner, closeRedis, createRedis, openDatabase, waitForRedis } from '@roadloop/persistence';
import { infra, runId } from '../../../../test/support/environment';
import { deleteRedisPrefix } from '../../../../test/support/stores';
import { AccidentRepository } from '../accidents/accident.repository';
import { RiskConfig } from '../config';
import { HazardRepository } from '../hazards/hazard.repository';
import { redisKeys } from '../keys';
import { RISK_MIGRATIONS } from '../migrations';
import { RoadsideInventoryRepository } from '../roadside/roadside-inventory.repository';
import { ReachCache } from '../segments/reach.cache';
import { SegmentRepository } from '../segments/segment.repository';
import { TaskStateRepository } from '../tasks/task-state.repository';
import { RankingRepository } from './ranking.repository';
import { RankingStore } from './ranking.store';
import { RiskService } from './risk.service';
import { SegmentRiskRepository } from './segment-risk.repository';

jest.setTimeout(120_000);

const NOW = new Date('2026-12-01T12:00:00Z');
const DAY_MS = 86_400_000;
// Fewer reaches kept than the spec's segments: runs read some from the cache and some from the database.
const config = { DUPLICATE_HAZARD_DISTANCE_M: 50, DUPLICATE_HAZARD_DAYS: 7, REACH_CACHE_SEGMENTS: 4 } as RiskConfig;

/** Two ways of six 300 m pieces each, west to east, one row of latitude apart. */
const SEGMENTS = [1, 2].flatMap((way) =>
  Array.from({ length: 6 }, (_, piece) => ({ id: `w${way}-${piece}`, way, piece, lon: 1.5 + piece * 0.0037, lat: 42.5 + (way - 1) * 0.01 })),
);

/** Each report as the intake records and announces it: on a segment, some metres from its start. */
type Report =
  | { kind: 'hazard'; id: string; segmentId: string; category: string; severity: string; offsetM: number; daysAgo: number }
  | { kind: 'accident'; id: string; segmentId: string; deaths: number; serious: number; slight: number; offsetM: number; daysAgo: number };

const hazard = (segmentId: string, category: string, severity: string, offsetM: number, daysAgo = 1): Report =>
  ({ kind: 'hazard', id: randomUUID(), segmentId, category, severity, offsetM, daysAgo });
const crash = (segmentId: string, deaths: number, serious: number, slight: number, daysAgo: number): Report =>
  ({ kind: 'accident', id: randomUUID(), segmentId, deaths, serious, slight, offsetM: 100, daysAgo });

const REPORTS: Report[] = [
  hazard('w1-2', 'rockfall', 'high', 40),
  crash('w1-1', 0, 2, 1, 30),
  hazard('w1-2', 'rockfall', 'high', 52), // 12 m from the first: the same rockfall reported again
  hazard('w1-3', 'missing_guardrail', 'critical', 150),
  hazard('w2-0', 'pothole', 'low', 10),
  crash('w1-4', 1, 0, 0, 200),
  hazard('w1-2', 'flooded_road', 'medium', 200),
  crash('w2-1', 0, 0, 2, 400),
  hazard('w2-1', 'landslide', 'critical', 90, 3),
  crash('w1-2', 0, 1, 0, 10),
];

/**
 * The risk service's handling of placed reports on the machine's PostgreSQL and Redis: the same
 * reports applied one at a time (as the consumer does after a failed run) and as one run must leave
 * the same risk, hazards and ranking, and announce the same final levels.
 */
describe(`${RiskService.name} on PostgreSQL and Redis`, () => {
  const id = runId('risksvc');
  const worlds: { schema: string; db: DataSource; redis: Redis; prefix: string; service: RiskService; announced: SegmentRiskChangedV2[]; requests: number }[] = [];

  async function world(name: string) {
    const schema = `${id}_${name}`;
    const prefix = `${schema}:`;
    const db = await openDatabase({ url: infra.databaseUrl, schema, entities: [], migrations: RISK_MIGRATIONS, poolSize: 3 }, true);
    const redis = createRedis({ url: infra.redisUrl, keyPrefix: prefix });
    expect(await waitForRedis(redis)).toBe(true);
    for (const s of SEGMENTS) {
      await db.query(
        `INSERT INTO road_segment (id, osm_way_id, piece_index, road_class, name, length_m, geom, attributes, exposure_score, exposure_level)
         VALUES ($1, $2, $3, 'tertiary', $4, 300, ST_SetSRID(ST_MakeLine(ST_MakePoint($5, $6), ST_MakePoint($5 + 0.0037, $6)), 4326), $7, 12, 'medium')`,
        [s.id, s.way, s.piece, `Way ${s.way}`, s.lon, s.lat, JSON.stringify({ waterSide: null, waterDistanceM: null, tunnel: false, cliffSide: null })],
      );
    }
    const w = { schema, db, redis, prefix, announced: [] as SegmentRiskChangedV2[], requests: 0 } as (typeof worlds)[number];
    const publisher = {
      publishEach: async (_contract: unknown, events: { payload: SegmentRiskChangedV2 }[]) => {
        if (events.length) w.requests++;
        w.announced.push(...events.map((e) => e.payload));
        return [];
      },
    } as unknown as EventPublisher;
    const segments = new SegmentRepository(db);
    w.service = new RiskService(
      new TransactionRunner(db),
      segments,
      new HazardRepository(db),
      new AccidentRepository(db),
      new TaskStateRepository(db),
      new SegmentRiskRepository(db),
      new RoadsideInventoryRepository(db),
      new RankingStore(redis, new RankingRepository(db)),
      publisher,
      config,
      new ReachCache(segments, config),
    );
    // As after an import: every segment waits for its first score.
    await db.query(`UPDATE road_segment SET rescore_pending = true`);
    expect(await w.service.rescorePending(1_000, NOW)).toBe(SEGMENTS.length);
    w.announced.length = 0;
    w.requests = 0;
    await record(db, REPORTS);
    worlds.push(w);
    return w;
  }

  /** What the intake records before announcing each report. */
  async function record(db: DataSource, reports: readonly Report[]) {
    const hazards = new HazardRepository(db);
    const accidents = new AccidentRepository(db);
    for (const r of reports) {
      const at = pointOn(r.segmentId, r.offsetM);
      const placement = { eventId: eventIdOf(r), correlationId: `c-${r.id}`, segmentId: r.segmentId, matchDistanceM: 3, offsetM: r.offsetM };
      const when = new Date(NOW.getTime() - r.daysAgo * DAY_MS).toISOString();
      if (r.kind === 'hazard') {
        await hazards.insertIfNew({ hazardId: r.id, category: r.category as never, severity: r.severity as never, lon: at.lon, lat: at.lat, reportedAt: when }, placement);
      } else {
        await accidents.insertIfNew(
          { accidentId: r.id, occurredAt: when, lon: at.lon, lat: at.lat, deaths: r.deaths, seriousInjuries: r.serious, slightInjuries: r.slight, propertyDamageOnly: false, vehicles: 1 },
          placement,
        );
      }
    }
  }

  const eventIds = new Map<string, string>();
  const eventIdOf = (r: Report) => eventIds.get(r.id) ?? (eventIds.set(r.id, randomUUID()), eventIds.get(r.id)!);

  function pointOn(segmentId: string, offsetM: number) {
    const s = SEGMENTS.find((x) => x.id === segmentId)!;
    return { lon: s.lon + (0.0037 * offsetM) / 300, lat: s.lat };
  }

  function matched(r: Report): ReportMatchedEvent {
    const at = pointOn(r.segmentId, r.offsetM);
    const when = new Date(NOW.getTime() - r.daysAgo * DAY_MS).toISOString();
    const placement = { segmentId: r.segmentId, distanceM: 3, offsetM: r.offsetM };
    const payload =
      r.kind === 'hazard'
        ? { kind: 'hazard', hazardId: r.id, category: r.category, severity: r.severity, reportedAt: when, ...at, ...placement }
        : { kind: 'accident', accidentId: r.id, occurredAt: when, deaths: r.deaths, seriousInjuries: r.serious, slightInjuries: r.slight, propertyDamageOnly: false, ...at, ...placement };
    return reportMatchedTopic.valueSchema.parse({
      eventId: randomUUID(), occurredAt: when, schemaVersion: reportMatchedTopic.schemaVersion, source: 'risk-service', correlationId: `c-${r.id}`, payload,
    });
  }

  async function state(w: (typeof worlds)[number]) {
    const risk = await w.db.query(`SELECT segment_id, score, level, alarm, published_level FROM segment_risk ORDER BY segment_id`);
    const hazards = await w.db.query(`SELECT id, status, duplicate_of, assessed_at IS NOT NULL AS assessed FROM hazard ORDER BY id`);
    const ranking = await w.redis.zrange(redisKeys.ranking(), '0', '-1', 'WITHSCORES');
    const lastAnnounced = new Map(w.announced.map((c) => [c.segmentId, c.level]));
    // Task ids differ between the worlds; what each task's state holds does not.
    const tasks = await w.db.query(`SELECT segment_id, countermeasure, status, version, verified_at, fix_failed FROM task_state ORDER BY segment_id, countermeasure, version`);
    return { risk, hazards, ranking, lastAnnounced: [...lastAnnounced].sort(), tasks };
  }

  let oneByOne: (typeof worlds)[number];
  let asRun: (typeof worlds)[number];

  beforeAll(async () => {
    oneByOne = await world('one');
    asRun = await world('run');
  });

  afterAll(async () => {
    for (const w of worlds) {
      await w.db.query(`DROP SCHEMA IF EXISTS "${w.schema}" CASCADE`).catch(() => undefined);
      await w.db.destroy();
      await closeRedis(w.redis);
      await deleteRedisPrefix(w.prefix);
    }
  });

  it('leaves the same risk, hazards, ranking and announced levels for a run as for its reports one at a time', async () => {
    for (const r of REPORTS) await oneByOne.service.onReportMatched(matched(r), NOW);
    await asRun.service.onReportsMatched(REPORTS.map(matched), NOW);

    const [a, b] = [await state(oneByOne), await state(asRun)];
    expect(b).toEqual(a);
    // The reports changed something: levels moved, the repeated rockfall was linked, a ranking exists.
    expect(a.lastAnnounced.length).toBeGreaterThan(0);
    expect(a.hazards.filter((h: { status: string }) => h.status === 'duplicate')).toHaveLength(1);
    expect(a.ranking).toHaveLength(2 * SEGMENTS.length);
    // One request for the run, each segment announced at most once in it.
    expect(asRun.requests).toBe(1);
    expect(new Set(asRun.announced.map((c) => c.segmentId)).size).toBe(asRun.announced.length);
    expect(oneByOne.announced.length).toBeGreaterThanOrEqual(asRun.announced.length);
  });

  it('applies a run of task changes (fixes verified, one reopened) as it applies them one at a time', async () => {
    const hazardsOn = async (w: (typeof worlds)[number], segmentId: string, category: string) =>
      (await w.db.query(`SELECT id FROM hazard WHERE segment_id = $1 AND category = $2 AND status = 'open' ORDER BY id`, [segmentId, category])).map((r: { id: string }) => r.id);
    const change = (segmentId: string, taskId: string, status: 'assigned' | 'verified' | 'reopened', version: number, countermeasure: string, hazardIds: string[]): TaskChangedEvent =>
      taskChangedTopic.valueSchema.parse({
        eventId: randomUUID(), occurredAt: new Date(NOW.getTime() + version * 60_000).toISOString(), schemaVersion: 1, source: 'task-service', correlationId: `t-${taskId}-${version}`,
        payload: {
          taskId, segmentId, change: status, status, previousStatus: null, countermeasure, side: null, priority: 'p1', hazardIds,
          jurisdictionId: null, crewId: 'crew-1', actor: { role: 'inspector', id: 'i-1' }, reason: null, fixFailed: status === 'reopened',
          dueAt: new Date(NOW.getTime() + 7 * DAY_MS).toISOString(), version,
        },
      });
    const runFor = async (w: (typeof worlds)[number]) => {
      const [clearing, netting, landslide] = [randomUUID(), randomUUID(), randomUUID()];
      return [
        change('w1-2', clearing, 'assigned', 1, 'rockfall_clearing', await hazardsOn(w, 'w1-2', 'rockfall')),
        change('w1-2', clearing, 'verified', 2, 'rockfall_clearing', await hazardsOn(w, 'w1-2', 'rockfall')),
        change('w2-1', landslide, 'verified', 1, 'rockfall_clearing', await hazardsOn(w, 'w2-1', 'landslide')),
        change('w1-3', netting, 'verified', 1, 'guardrail', await hazardsOn(w, 'w1-3', 'missing_guardrail')),
        change('w1-3', netting, 'reopened', 2, 'guardrail', []),
        // A stale version delivered again changes nothing.
        change('w1-2', clearing, 'assigned', 1, 'rockfall_clearing', []),
      ];
    };
    const [alone, run] = [await runFor(oneByOne), await runFor(asRun)];
    const resolvedBefore = (await state(asRun)).hazards.filter((h: { status: string }) => h.status === 'resolved').length;
    oneByOne.announced.length = 0;
    asRun.announced.length = 0;
    asRun.requests = 0;
    for (const e of alone) await oneByOne.service.onTaskChanged(e, NOW);
    await asRun.service.onTasksChanged(run, NOW);

    const [a, b] = [await state(oneByOne), await state(asRun)];
    expect(b).toEqual(a);
    expect(a.hazards.filter((h: { status: string }) => h.status === 'resolved').length).toBeGreaterThan(resolvedBefore);
    expect(asRun.requests).toBeLessThanOrEqual(1);
  });

  it('re-scores a segment for a task change into or out of what the model reads, or delivered again, and for no other', async () => {
    const change = (segmentId: string, taskId: string, status: 'assigned' | 'reopened' | 'cancelled', version: number): TaskChangedEvent =>
      taskChangedTopic.valueSchema.parse({
        eventId: randomUUID(), occurredAt: new Date(NOW.getTime() + version * 60_000).toISOString(), schemaVersion: 1, source: 'task-service', correlationId: `o-${taskId}-${version}`,
        payload: {
          taskId, segmentId, change: status, status, previousStatus: null, countermeasure: 'drainage', side: null, priority: 'p2', hazardIds: [],
          jurisdictionId: null, crewId: 'crew-1', actor: { role: 'dispatcher', id: 'd-1' }, reason: null, fixFailed: status !== 'assigned',
          dueAt: new Date(NOW.getTime() + 7 * DAY_MS).toISOString(), version,
        },
      });
    const [a, b] = [randomUUID(), randomUUID()];
    const rescored = jest.spyOn(ReachCache.prototype, 'reachesOf');
    try {
      await asRun.service.onTasksChanged([change('w2-2', a, 'assigned', 1), change('w2-3', b, 'assigned', 1)], NOW);
      expect(rescored).not.toHaveBeenCalled();
      const recorded = await asRun.db.query(`SELECT task_id, status FROM task_state WHERE task_id = ANY($1::uuid[]) ORDER BY segment_id`, [[a, b]]);
      expect(recorded).toEqual([{ task_id: a, status: 'assigned' }, { task_id: b, status: 'assigned' }]);

      // A fix that did not hold, on a task still open, counts against its segment.
      await asRun.service.onTasksChanged([change('w2-3', b, 'reopened', 2)], NOW);
      expect(rescored).toHaveBeenCalledTimes(1);
      expect(rescored.mock.calls[0][0]).toEqual(['w2-3']);
      // Cancelled, the failed fix no longer counts: a change out of what the model reads re-scores too.
      await asRun.service.onTasksChanged([change('w2-3', b, 'cancelled', 3)], NOW);
      expect(rescored).toHaveBeenCalledTimes(2);
      expect(rescored.mock.calls[1][0]).toEqual(['w2-3']);
      // Delivered again (its first delivery may have committed and failed before announcing): re-scored, to announce.
      await asRun.service.onTaskChanged(change('w2-3', b, 'cancelled', 3), NOW);
      expect(rescored).toHaveBeenCalledTimes(3);
      // A task on a segment that does not exist is refused (dead-lettered), whatever its change.
      await expect(asRun.service.onTasksChanged([change('w9-9', randomUUID(), 'assigned', 1)], NOW)).rejects.toMatchObject({ code: 'UNKNOWN_SEGMENT' });
    } finally {
      rescored.mockRestore();
    }
  });

  it('refuses a run naming a hazard that was never recorded, changing nothing (the consumer then handles its reports one at a time)', async () => {
    const before = await state(asRun);
    const ghost = matched(hazard('w2-3', 'rockfall', 'critical', 20));
    await expect(asRun.service.onReportsMatched([matched(hazard('w2-4', 'pothole', 'low', 20)), ghost], NOW)).rejects.toMatchObject({ code: 'UNKNOWN_HAZARD' });
    expect(await state(asRun)).toEqual(before);
  });

  it('links the repeats within a run as one at a time does, however the reports of one place and time interleave', async () => {
    // Sixty reports around the joint of w2-3 and w2-4, of two kinds, over twelve days, in an order
    // unrelated to their report times: many repeat an earlier one of the run, some repeat a repeat.
    let seed = 20261205;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const cluster = Array.from({ length: 60 }, () =>
      hazard(random() < 0.5 ? 'w2-3' : 'w2-4', random() < 0.6 ? 'debris' : 'ice', 'medium', random() < 0.5 ? 230 + random() * 70 : random() * 70, random() * 12) as Extract<Report, { kind: 'hazard' }>,
    );
    const [alone, inRuns] = [await world('cluster1'), await world('cluster2')];
    for (const w of [alone, inRuns]) {
      const hazards = new HazardRepository(w.db);
      for (const r of cluster) {
        const at = pointOn(r.segmentId, r.offsetM);
        const placement = { eventId: eventIdOf(r), correlationId: `c-${r.id}`, segmentId: r.segmentId, matchDistanceM: 3, offsetM: r.offsetM };
        await hazards.insertIfNew({ hazardId: r.id, category: r.category as never, severity: 'medium', lon: at.lon, lat: at.lat, reportedAt: new Date(NOW.getTime() - r.daysAgo * DAY_MS).toISOString() }, placement);
      }
    }
    for (const r of cluster) await alone.service.onReportMatched(matched(r), NOW);
    for (const r of cluster.slice(15, 25)) await alone.service.onReportMatched(matched(r), NOW);
    await inRuns.service.onReportsMatched(cluster.slice(0, 25).map(matched), NOW);
    // The second run starts with ten reports of the first delivered again: assessed already, left as they are.
    await inRuns.service.onReportsMatched(cluster.slice(15).map(matched), NOW);

    const [a, b] = [await state(alone), await state(inRuns)];
    expect(b.hazards).toEqual(a.hazards);
    expect(b).toEqual(a);
    const statuses = a.hazards.filter((h: { id: string }) => cluster.some((r) => r.id === h.id)).map((h: { status: string }) => h.status);
    expect(statuses.filter((s: string) => s === 'duplicate').length).toBeGreaterThan(10);
    expect(statuses.filter((s: string) => s === 'open').length).toBeGreaterThan(3);
  });

  // The hazard table keeps room on its pages (fillfactor), so an assessment's new row versions stay
  // where the intake wrote the reports: those whose status is unchanged (not duplicates) are then
  // heap-only updates, which rewrite no index entry. Most of these reports are duplicates; none moves.
  it('assesses hazards on the pages the intake wrote them to', async () => {
    const w = await world('pages');
    const reports = Array.from({ length: 400 }, (_, i) => hazard(`w2-${i % 6}`, i % 2 ? 'pothole' : 'debris', 'low', (i * 7) % 300, 1 + (i % 9)));
    await record(w.db, reports);
    const ids = reports.map((r) => r.id);
    const pages = async (): Promise<{ id: string; page: number; assessed: boolean }[]> =>
      w.db.query(`SELECT id, (ctid::text::point)[0] AS page, assessed_at IS NOT NULL AS assessed FROM hazard WHERE id = ANY($1::uuid[]) ORDER BY id`, [ids]);
    const before = await pages();
    expect(new Set(before.map((r) => r.page)).size).toBeGreaterThan(3);
    await w.service.onReportsMatched(reports.map(matched), NOW);
    const after = await pages();
    expect(after.every((r) => r.assessed)).toBe(true);
    expect(after.map(({ id, page }) => ({ id, page }))).toEqual(before.map(({ id, page }) => ({ id, page })));
  });

  it('brings the explanation of a segment up to date when its hazards change but its capped score does not', async () => {
    // Two critical rockfalls 230 m apart are over the hazard cap together; four more reports of the first
    // are recorded but not yet assessed when the first is, so that re-score counts them as open too.
    const first = hazard('w2-5', 'rockfall', 'critical', 20);
    const second = hazard('w2-5', 'rockfall', 'critical', 250);
    const repeats = [24, 28, 32, 36].map((m) => hazard('w2-5', 'rockfall', 'critical', m));
    const hazards = new HazardRepository(asRun.db);
    for (const r of [first, second, ...repeats]) {
      const at = pointOn(r.segmentId, r.offsetM);
      const placement = { eventId: eventIdOf(r), correlationId: `c-${r.id}`, segmentId: r.segmentId, matchDistanceM: 3, offsetM: r.offsetM };
      await hazards.insertIfNew({ hazardId: r.id, category: 'rockfall', severity: 'critical', lon: at.lon, lat: at.lat, reportedAt: new Date(NOW.getTime() - DAY_MS).toISOString() }, placement);
    }
    const explained = async () => {
      const [row] = await asRun.db.query(`SELECT score, revision, factors FROM segment_risk WHERE segment_id = 'w2-5'`);
      const open = await asRun.db.query(`SELECT count(*)::int AS n FROM hazard WHERE segment_id = 'w2-5' AND status = 'open'`);
      return { score: Number(row.score), revision: row.revision, hazardFactors: (row.factors as { factor: string }[]).filter((f) => f.factor === 'hazard').length, open: open[0].n };
    };
    await asRun.service.onReportsMatched([matched(first)], NOW);
    const counted = await explained();
    expect(counted.hazardFactors).toBe(6);

    await asRun.service.onReportsMatched([second, ...repeats].map(matched), NOW);
    const after = await explained();
    expect(after.open).toBe(2);
    // Capped either way: the same score and revision, but the factors name the two open hazards only.
    expect(after.score).toBe(counted.score);
    expect(after.revision).toBe(counted.revision);
    expect(after.hazardFactors).toBe(2);
  });
});
