import { Inject, Injectable } from '@nestjs/common';
import { TxScope } from '@roadloop/persistence';
import { RISK_CONFIG, RiskConfig } from '../config';
import { Reach, SegmentRepository } from './segment.repository';

/**
 * The reaches the risk model re-scores (a segment and the pieces before and after it on its way),
 * kept in memory for the segments re-scored most recently: they change only when segments are
 * (re-)imported, and reading them was a tenth of the database's time in a run of reports.
 *
 * Each call reads the network's revision (one row) in the caller's transaction and forgets every
 * reach when it moved, so a run never scores with a reach older than the last import it can see.
 * What a call read is kept only if the revision did not move meanwhile: a call that read it before
 * an import must not store what it read under the revision after. At most `REACH_CACHE_SEGMENTS`
 * reaches are kept, the least recently used dropped first; 0 reads every reach from the database.
 * The reaches handed out are frozen: they are shared between runs.
 */
@Injectable()
export class ReachCache {
  private revision: string | null = null;
  /** In order of use, the least recent first. */
  private readonly reaches = new Map<string, Reach>();

  constructor(
    private readonly segments: SegmentRepository,
    @Inject(RISK_CONFIG) private readonly config: Pick<RiskConfig, 'REACH_CACHE_SEGMENTS'>,
  ) {}

  /** How many reaches are kept now. */
  get size(): number {
    return this.reaches.size;
  }

  /** As `SegmentRepository.reachesOf`: the reaches of these segments (unknown segments are absent). */
  async reachesOf(segmentIds: readonly string[], scope: TxScope): Promise<Map<string, Reach>> {
    const max = this.config.REACH_CACHE_SEGMENTS;
    if (!(max > 0)) return this.segments.reachesOf(segmentIds, scope);
    const revision = await this.segments.fingerprint(scope);
    if (revision !== this.revision) {
      this.reaches.clear();
      this.revision = revision;
    }
    const found = new Map<string, Reach>();
    const missing: string[] = [];
    for (const id of segmentIds) {
      if (found.has(id)) continue;
      const reach = this.reaches.get(id);
      if (!reach) {
        missing.push(id);
        continue;
      }
      this.reaches.delete(id);
      this.reaches.set(id, reach);
      found.set(id, reach);
    }
    if (!missing.length) return found;
    const read = await this.segments.reachesOf([...new Set(missing)], scope);
    const keep = this.revision === revision;
    for (const [id, reach] of read) {
      const frozen = deepFreeze(reach);
      found.set(id, frozen);
      if (!keep) continue;
      this.reaches.delete(id);
      this.reaches.set(id, frozen);
      if (this.reaches.size > max) this.reaches.delete(this.reaches.keys().next().value!);
    }
    return found;
  }
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
