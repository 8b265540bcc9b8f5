import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SegmentProfile, segmentProfileTopic } from '@roadloop/contracts';
import { EventPublisher } from '@roadloop/kafka';
import { TransactionRunner } from '@roadloop/persistence';
import { RISK_CONFIG, RiskConfig } from '../config';
import { RISK_MODEL } from '../risk/risk-model';
import { RiskService } from '../risk/risk.service';
import { SegmentProfileRow, SegmentRepository } from './segment.repository';

const BATCH = 500;

/**
 * Follows up imports, which only write the database (they work with Kafka down): announces the
 * profile of every segment imported since it was last announced, and recomputes the live risk of
 * segments whose exposure a re-import changed.
 */
@Injectable()
export class ProfileRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProfileRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly segments: SegmentRepository,
    private readonly publisher: EventPublisher,
    private readonly risk: RiskService,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.PROFILE_RELAY_MS);
    this.timer.unref();
    void this.markStaleModel().then(() => this.tick());
  }

  /** A new risk model version re-scores every segment scored by another one (each level change announced once). */
  async markStaleModel(): Promise<number> {
    try {
      const marked = await this.segments.markForRescore(RISK_MODEL.version);
      if (marked) this.logger.log(`risk model ${RISK_MODEL.version}: re-scoring ${marked} segments scored by another version`);
      return marked;
    } catch (err) {
      this.logger.warn(`risk model version check: ${(err as Error).message}`);
      return 0;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Publishes pending profiles in batches until none is left, then re-scores pending segments in
   * batches. Each batch is a transaction holding its rows, so the relays of several instances share
   * the work instead of each doing all of it.
   */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let total = 0;
    try {
      for (;;) {
        // The batch's rows stay locked while it is published (a re-import of them waits that long); a
        // commit that fails after the send announces them again next time, which consumers take as a newer profile.
        const sent = await this.tx.run(async (scope) => {
          const rows = await this.segments.pendingProfiles(BATCH, scope);
          await this.publisher.publishMany(segmentProfileTopic, rows.map(toProfile), { correlationId: 'segment-import' });
          await this.segments.markProfilesPublished(rows.map((r) => r.id), scope);
          return rows.length;
        });
        if (!sent) break;
        total += sent;
      }
      if (total) this.logger.log(`announced ${total} segment profiles`);
      let rescored = 0;
      for (;;) {
        const n = await this.risk.rescorePending(BATCH);
        if (!n) break;
        rescored += n;
      }
      if (rescored) this.logger.log(`recomputed the risk of ${rescored} re-imported or re-scored segments`);
    } catch (err) {
      this.logger.warn(`profile relay: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
    return total;
  }
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const share = (v: unknown): number => Math.min(1, Math.max(0, num(v) ?? 0));

export function toProfile(row: SegmentProfileRow): SegmentProfile {
  const a = row.attributes;
  const guardrail = (a.guardrail ?? {}) as { left?: unknown; right?: unknown };
  const waterSide = a.waterSide;
  const cliffSide = a.cliffSide;
  return {
    segmentId: row.id,
    geometry: { type: 'LineString', coordinates: row.geometry.coordinates.map(([lon, lat]) => [lon, lat] as [number, number]) },
    roadClass: row.roadClass,
    name: row.name,
    lengthM: row.lengthM,
    waterDistanceM: num(a.waterDistanceM),
    waterSide: waterSide === 'left' || waterSide === 'right' || waterSide === 'both' || waterSide === 'crossing' ? waterSide : null,
    cliffSide: cliffSide === 'left' || cliffSide === 'right' || cliffSide === 'both' ? cliffSide : null,
    dropLeftM: num(a.dropLeftM),
    dropRightM: num(a.dropRightM),
    guardrail: { left: share(guardrail.left), right: share(guardrail.right) },
    exposureScore: row.exposureScore,
    exposureLevel: row.exposureLevel,
  };
}
