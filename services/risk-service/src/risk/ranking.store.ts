import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ChainableCommander, Redis } from 'ioredis';
import { REDIS } from '@roadloop/persistence';
import { redisKeys } from '../keys';
import { ROAD_CLASSES } from '../queries/query-schemas';
import { RankedRow, RankedSegment, RankedSegmentDetail, RankingFilters, RankingRepository } from './ranking.repository';
import { scoreBands } from './risk-model';

export type { RankedSegment, RankingFilters } from './ranking.repository';

/** A ranking row's description as kept in Redis (no geometry). */
export type RankedSegmentSummary = Omit<RankedSegmentDetail, 'geometry' | 'wkt'>;

/** A request's intersection of facets lives this long at most, in seconds (it is deleted right after use). */
const QUERY_TTL_S = 30;
const CHUNK = 1000;
/** Rows read and written per step of a rebuild. */
const REBUILD_PAGE = 5000;
/** How far before a rebuild's snapshot its catch-up looks for concurrent writes, ms. */
const CATCH_UP_MARGIN_MS = 60_000;

/**
 * The riskiest segments, served from Redis sorted sets: the ranking (segment → score) and one facet
 * per jurisdiction, road class and roadside (water, cliff) with the same scores. A filtered ranking
 * intersects the ranking with the facets asked for (a union within one filter), then reads the score
 * bands of the levels asked for.
 *
 * PostgreSQL stays the source of truth: when the ranking or its "ready" marker is missing (Redis
 * restarted or flushed) everything is rebuilt from the database in one transaction, and when Redis
 * is down reads fall back to the database and writes are skipped. A Redis that comes back with its
 * data (a restart that kept it, a network cut) would then serve the scores of before the outage, so a
 * skipped write marks the ranking stale and it is rebuilt as soon as Redis answers again.
 */
@Injectable()
export class RankingStore {
  private readonly logger = new Logger(RankingStore.name);
  /** A write was skipped: Redis misses scores PostgreSQL has. */
  private stale = false;
  private repairing: Promise<void> | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly repository: RankingRepository,
  ) {
    // ioredis says `ready` after each reconnection.
    redis.on('ready', () => {
      if (this.stale) void this.repair();
    });
  }

  /** Whether a skipped write still waits for a rebuild. */
  get isStale(): boolean {
    return this.stale;
  }

  /** Rebuilds the ranking after skipped writes (one rebuild at a time); a failure leaves it stale for the next try. */
  repair(): Promise<void> {
    this.repairing ??= (async () => {
      this.stale = false;
      try {
        const ranked = await this.rebuild();
        this.logger.log(`ranking rebuilt after Redis was unavailable (${ranked} segments)`);
      } catch (err) {
        this.stale = true;
        this.logger.warn(`ranking rebuild after an outage failed, trying again later: ${(err as Error).message}`);
      }
    })().finally(() => (this.repairing = undefined));
    return this.repairing;
  }

  /** A segment's score changed: update the ranking and every facet it belongs to (or left). */
  async set(segmentId: string, score: number): Promise<void> {
    await this.refresh(segmentId, null, score);
  }

  /**
   * Many segments' scores changed (a run of reports): one read of their committed rows, one Redis
   * transaction. The committed score is written, not the caller's: a run committed later may have
   * written Redis first. A skipped write marks the ranking stale, as `set` does.
   */
  async setMany(segmentIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(segmentIds)];
    if (!ids.length) return;
    try {
      const rows = await this.repository.several(ids);
      const tx = this.redis.multi();
      this.write(tx, rows.map((row) => ({ row, score: row.score })));
      await execOrThrow(tx);
      if (this.stale && !this.repairing) void this.repair();
    } catch (err) {
      this.stale = true;
      this.logger.warn(`ranking not updated for ${ids.length} segments: ${(err as Error).message}`);
    }
  }

  /** A segment moved from one jurisdiction to another: move it between facets, with its current score. */
  async moveJurisdiction(segmentId: string, previousJurisdictionId: string | null): Promise<void> {
    await this.refresh(segmentId, previousJurisdictionId);
  }

  async top(filters: RankingFilters, limit: number): Promise<{ source: 'redis' | 'database'; items: RankedSegment[] }> {
    try {
      if ((await this.redis.exists(redisKeys.rankingReady(), redisKeys.ranking())) < 2) await this.rebuild();
      return { source: 'redis', items: await this.fromRedis(filters, limit) };
    } catch (err) {
      this.logger.warn(`ranking read from the database: ${(err as Error).message}`);
      return { source: 'database', items: await this.repository.top(filters, limit) };
    }
  }

  /**
   * The descriptions of ranked segments, from the Redis hash kept beside the ranking; what Redis
   * lacks (or everything, when Redis is down) is read from PostgreSQL.
   */
  async details(ids: readonly string[]): Promise<Map<string, RankedSegmentSummary>> {
    const found = new Map<string, RankedSegmentSummary>();
    if (!ids.length) return found;
    try {
      const values = await this.redis.hmget(redisKeys.rankingDetails(), ...ids);
      values.forEach((v, i) => v !== null && found.set(ids[i], JSON.parse(v) as RankedSegmentSummary));
    } catch (err) {
      this.logger.warn(`ranking details read from the database: ${(err as Error).message}`);
    }
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) for (const [id, d] of await this.repository.describe(missing, 'none')) found.set(id, summaryOf(d));
    return found;
  }

  /**
   * Replaces the ranking and all its facets with what PostgreSQL holds, atomically. Returns the
   * segments ranked. The rows are read a page at a time and written under staged keys, which one
   * Redis transaction then renames over the live ones: memory is one page, whatever the region's
   * size, and readers see the old ranking or the new one, never a mix.
   */
  async rebuild(): Promise<number> {
    const readAt = await this.repository.clock();
    const rebuildId = randomBytes(6).toString('hex');
    const staged = (key: string) => redisKeys.rankingStaged(rebuildId, key);
    const written = new Set<string>();
    let ranked = 0;
    try {
      for (let after = ''; ; ) {
        const rows = await this.repository.page(after, REBUILD_PAGE);
        if (!rows.length) break;
        // A page is one ZADD per set and one HSET, in chunks: a command per member made a rebuild of
        // millions of segments mostly round trips through the client.
        const sets = new Map<string, (string | number)[]>();
        const described: string[] = [];
        for (const row of rows) {
          for (const key of [redisKeys.ranking(), ...facetKeys(row)]) {
            const members = sets.get(key) ?? [];
            members.push(row.score, row.segmentId);
            sets.set(key, members);
            written.add(key);
          }
          described.push(row.segmentId, JSON.stringify(summaryOf(row)));
        }
        const tx = this.redis.pipeline();
        for (const [key, members] of sets) {
          for (let i = 0; i < members.length; i += 2 * CHUNK) tx.zadd(staged(key), ...members.slice(i, i + 2 * CHUNK));
        }
        for (let i = 0; i < described.length; i += 2 * CHUNK) tx.hset(staged(redisKeys.rankingDetails()), ...described.slice(i, i + 2 * CHUNK));
        await execOrThrow(tx);
        ranked += rows.length;
        after = rows[rows.length - 1].segmentId;
      }
      if (ranked) written.add(redisKeys.rankingDetails());
      const previous = await this.redis.smembers(redisKeys.rankingFacets());
      const tx = this.redis.multi();
      for (let i = 0; i < previous.length; i += CHUNK) tx.del(...previous.slice(i, i + CHUNK));
      tx.del(redisKeys.ranking(), redisKeys.rankingFacets(), redisKeys.rankingDetails());
      for (const key of written) tx.rename(staged(key), key);
      const facets = [...written].filter((k) => k !== redisKeys.ranking() && k !== redisKeys.rankingDetails());
      if (facets.length) tx.sadd(redisKeys.rankingFacets(), ...facets);
      tx.set(redisKeys.rankingReady(), new Date().toISOString());
      await execOrThrow(tx);
    } catch (err) {
      await this.redis.del(...[...written, redisKeys.rankingDetails()].map(staged)).catch(() => undefined);
      throw err;
    }
    // A score or jurisdiction written while the snapshot was being read and replaced may have been
    // overwritten by the snapshot's older value: write those segments again. The margin covers
    // writing transactions that started before the clock was read (their `now()` is their start).
    // A page at a time (one read, one Redis transaction): after an import every segment is recent.
    const changed = await this.repository.changedSince(new Date(readAt.getTime() - CATCH_UP_MARGIN_MS));
    for (let i = 0; i < changed.length; i += REBUILD_PAGE) await this.setMany(changed.slice(i, i + REBUILD_PAGE));
    return ranked;
  }

  private async refresh(segmentId: string, previousJurisdictionId: string | null, score?: number): Promise<void> {
    try {
      const row = await this.repository.one(segmentId);
      const tx = this.redis.multi();
      if (previousJurisdictionId !== null && previousJurisdictionId !== row?.jurisdictionId) {
        tx.zrem(redisKeys.rankingByJurisdiction(previousJurisdictionId), segmentId);
      }
      if (row) this.write(tx, [{ row, score: score ?? row.score }]);
      await execOrThrow(tx);
      // Redis answers again although no reconnection was seen (a write timed out): repair now.
      if (this.stale && !this.repairing) void this.repair();
    } catch (err) {
      this.stale = true;
      this.logger.warn(`ranking not updated for ${segmentId}: ${(err as Error).message}`);
    }
  }

  /**
   * Queues segments' scores, descriptions and facets into a Redis transaction: one HSET, one ZADD per
   * set and one ZREM per facet some of them left, per thousand segments (a command per segment and
   * facet, 21–22 each, made a run's ranking write mostly the client's work). Each segment once:
   * every ZREM follows every ZADD, so one listed twice with other facets would end in neither
   * (`setMany` removes repeats).
   */
  private write(tx: ChainableCommander, entries: readonly { row: RankedRow; score: number }[]): void {
    if (!entries.length) return;
    const described: string[] = [];
    const added = new Map<string, (string | number)[]>();
    const removed = new Map<string, string[]>();
    const push = <T>(map: Map<string, T[]>, key: string, ...values: T[]) => {
      const list = map.get(key);
      if (list) list.push(...values);
      else map.set(key, values);
    };
    for (const { row, score } of entries) {
      const { segmentId } = row;
      described.push(segmentId, JSON.stringify(summaryOf(row)));
      const keys = facetKeys(row);
      for (const key of [redisKeys.ranking(), ...keys]) push(added, key, score, segmentId);
      // A re-import may change a segment's road class or roadside: it leaves the facets it no longer belongs to.
      for (const key of FACETS_LEFT_BEHIND) if (!keys.includes(key)) push(removed, key, segmentId);
    }
    // In chunks, as a rebuild writes: a catch-up after an import writes thousands at once.
    for (let i = 0; i < described.length; i += 2 * CHUNK) tx.hset(redisKeys.rankingDetails(), ...described.slice(i, i + 2 * CHUNK));
    for (const [key, members] of added) for (let i = 0; i < members.length; i += 2 * CHUNK) tx.zadd(key, ...members.slice(i, i + 2 * CHUNK));
    tx.sadd(redisKeys.rankingFacets(), ...[...added.keys()].filter((k) => k !== redisKeys.ranking()));
    for (const [key, members] of removed) for (let i = 0; i < members.length; i += CHUNK) tx.zrem(key, ...members.slice(i, i + CHUNK));
  }

  private async fromRedis(filters: RankingFilters, limit: number): Promise<RankedSegment[]> {
    const dimensions: string[][] = [];
    if (filters.jurisdiction !== undefined) dimensions.push([redisKeys.rankingByJurisdiction(filters.jurisdiction)]);
    if (filters.roadClass?.length) dimensions.push(filters.roadClass.map(redisKeys.rankingByRoadClass));
    if (filters.side?.length) dimensions.push(filters.side.map(redisKeys.rankingBySide));
    const temporary: string[] = [];
    try {
      let source = redisKeys.ranking();
      if (dimensions.length === 1 && dimensions[0].length === 1) {
        source = dimensions[0][0];
      } else if (dimensions.length) {
        const id = randomBytes(6).toString('hex');
        const tx = this.redis.multi();
        const inputs = [redisKeys.ranking()];
        dimensions.forEach((keys, i) => {
          if (keys.length === 1) return inputs.push(keys[0]);
          const union = redisKeys.rankingQuery(`${id}:${i}`);
          temporary.push(union);
          tx.zunionstore(union, keys.length, ...keys, 'AGGREGATE', 'MAX').expire(union, QUERY_TTL_S);
          return inputs.push(union);
        });
        source = redisKeys.rankingQuery(id);
        temporary.push(source);
        // Scores come from the ranking itself (weight 1); the facets only select (weight 0).
        tx.zinterstore(source, inputs.length, ...inputs, 'WEIGHTS', 1, ...inputs.slice(1).map(() => 0), 'AGGREGATE', 'SUM');
        tx.expire(source, QUERY_TTL_S);
        await execOrThrow(tx);
      }
      const bands = filters.level?.length ? scoreBands(filters.level) : [{ min: -Infinity, max: Infinity }];
      const pages = await Promise.all(
        bands.map(({ min, max }) =>
          this.redis.zrevrangebyscore(source, Number.isFinite(max) ? `(${max}` : '+inf', Number.isFinite(min) ? String(min) : '-inf', 'WITHSCORES', 'LIMIT', 0, limit),
        ),
      );
      const items: RankedSegment[] = [];
      for (const flat of pages) for (let i = 0; i < flat.length; i += 2) items.push({ segmentId: flat[i], score: Number(flat[i + 1]) });
      return items.sort(byRank).slice(0, limit);
    } finally {
      if (temporary.length) await this.redis.del(...temporary).catch(() => 0);
    }
  }
}

/** The facets a segment may leave when a re-import changes it: every road class and roadside. */
const FACETS_LEFT_BEHIND = [...ROAD_CLASSES.map(redisKeys.rankingByRoadClass), redisKeys.rankingBySide('water'), redisKeys.rankingBySide('cliff')];

/** Highest score first; equal scores by segment id descending, byte-wise (Redis's reverse order). */
export function byRank(a: RankedSegment, b: RankedSegment): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.segmentId < b.segmentId ? 1 : a.segmentId > b.segmentId ? -1 : 0;
}

function summaryOf(row: RankedSegmentDetail | RankedRow): RankedSegmentSummary {
  const { geometry: _g, wkt: _w, score: _s, ...summary } = row as RankedSegmentDetail & RankedRow;
  return summary;
}

/** The facet sets a ranked segment belongs to: its road class, its roadsides, its jurisdiction. */
function facetKeys(f: RankedRow): string[] {
  const keys = [redisKeys.rankingByRoadClass(f.roadClass)];
  if (f.waterSide !== null) keys.push(redisKeys.rankingBySide('water'));
  if (f.cliffSide !== null) keys.push(redisKeys.rankingBySide('cliff'));
  if (f.jurisdictionId !== null) keys.push(redisKeys.rankingByJurisdiction(f.jurisdictionId));
  return keys;
}

async function execOrThrow(tx: ChainableCommander): Promise<void> {
  const results = await tx.exec();
  if (!results) throw new Error('Redis transaction aborted');
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0] as Error;
}
