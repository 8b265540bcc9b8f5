import { Inject, Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { REDIS } from '@roadloop/persistence';
import { redisKeys } from '../keys';
import { SegmentRiskRepository } from './segment-risk.repository';

export interface RankedSegment {
  segmentId: string;
  score: number;
}

/**
 * The riskiest segments, served from a Redis sorted set. PostgreSQL stays the source of truth: when
 * the set is empty (Redis restarted or flushed) it is rebuilt from the database, and when Redis is
 * down reads fall back to the database and writes are skipped (the next rebuild repairs them).
 */
@Injectable()
export class RankingStore {
  private readonly logger = new Logger(RankingStore.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly risks: SegmentRiskRepository,
  ) {}

  async set(segmentId: string, score: number): Promise<void> {
    try {
      await this.redis.zadd(redisKeys.ranking(), score, segmentId);
    } catch (err) {
      this.logger.warn(`ranking not updated for ${segmentId}: ${(err as Error).message}`);
    }
  }

  async top(limit: number): Promise<{ source: 'redis' | 'database'; items: RankedSegment[] }> {
    try {
      if ((await this.redis.exists(redisKeys.ranking())) === 0) await this.rebuild();
      const flat = await this.redis.zrevrange(redisKeys.ranking(), 0, limit - 1, 'WITHSCORES');
      const items: RankedSegment[] = [];
      for (let i = 0; i < flat.length; i += 2) items.push({ segmentId: flat[i], score: Number(flat[i + 1]) });
      return { source: 'redis', items };
    } catch (err) {
      this.logger.warn(`ranking read from the database: ${(err as Error).message}`);
      return { source: 'database', items: (await this.risks.top(limit)).map(({ segmentId, score }) => ({ segmentId, score })) };
    }
  }

  async rebuild(): Promise<number> {
    const rows = await this.risks.all();
    const key = redisKeys.ranking();
    const tmp = `${key}:rebuild`;
    const pipeline = this.redis.multi().del(tmp);
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000).flatMap((r) => [r.score, r.segmentId] as (string | number)[]);
      pipeline.zadd(tmp, ...chunk);
    }
    if (rows.length) pipeline.rename(tmp, key);
    else pipeline.del(key);
    await pipeline.exec();
    return rows.length;
  }
}
