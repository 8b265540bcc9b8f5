import { Injectable, Logger } from '@nestjs/common';
import {
  DeadLetterCode,
  TopicContract,
  accidentReportedTopic,
  decodeMessage,
  hazardReportedTopic,
  roadsideInventoryChangedTopic,
  segmentJurisdictionTopic,
  taskChangedTopic,
  topicName,
} from '@roadloop/contracts';
import { judgeFailure } from '@roadloop/kafka';
import { SegmentImportService } from '../import/segment-import.service';
import { ReportIntakeService } from '../intake/report-intake.service';
import { SegmentJurisdictionService } from '../jurisdictions/segment-jurisdiction.service';
import { RankingStore } from '../risk/ranking.store';
import { RiskService } from '../risk/risk.service';
import { SegmentMatcherHolder } from '../segments/segment-matcher.holder';
import { RebuildRepository } from './rebuild.repository';
import { LoggedMessage, mergeInLogOrder } from './replay-order';
import { ReplayPublisher } from './replay-publisher';
import { PartitionEnd, TopicHistory } from './topic-history';

/**
 * The topics the risk service's state is built from, in the order a rebuild takes messages logged in
 * the same millisecond: what a segment is (its jurisdiction, its roadside) before what happened on
 * it (reports), before what was done about it (tasks). `report-matched` is not read: the rebuild
 * places the reports itself, as the live intake did.
 */
export const REPLAYED_TOPICS: readonly TopicContract[] = [
  segmentJurisdictionTopic,
  roadsideInventoryChangedTopic,
  hazardReportedTopic,
  accidentReportedTopic,
  taskChangedTopic,
];

export interface RebuildReport {
  segments: number;
  /** Messages applied, by base topic name. */
  applied: Record<string, number>;
  /** Messages the live consumers dead-letter too (unreadable, invalid, refused), with the reason. */
  refused: { topic: string; partition: number; offset: string; reason: string }[];
  /** Report-matched events handled in process. */
  matched: number;
  /** Level changes computed but not announced (the live service announced them). */
  announcementsWithheld: number;
  ranked: number;
  ends: PartitionEnd[];
  /** The append times of the first and the last message replayed. */
  from: string | null;
  to: string | null;
}

/**
 * Builds a fresh schema from the log: the live schema's segments imported again (scored by the
 * model this process uses), then every message of the replayed topics, in log order, handed to the
 * same service methods the live consumers call. Each message is applied with "now" at its append
 * time, the moment the live service saw it (up to its consumer lag).
 */
@Injectable()
export class RebuildService {
  private readonly logger = new Logger(RebuildService.name);

  constructor(
    private readonly repository: RebuildRepository,
    private readonly importer: SegmentImportService,
    private readonly matcher: SegmentMatcherHolder,
    private readonly intake: ReportIntakeService,
    private readonly risk: RiskService,
    private readonly jurisdictions: SegmentJurisdictionService,
    private readonly ranking: RankingStore,
    private readonly publisher: ReplayPublisher,
  ) {}

  /** Imports the segments of `liveSchema` into this schema; returns how many. */
  async importSegments(liveSchema: string): Promise<number> {
    const features = await this.repository.segmentFeatures(liveSchema);
    const report = await this.importer.importFeatures(features);
    if (report.rejectedCount) {
      throw new Error(`${report.rejectedCount} segments of ${liveSchema} could not be imported again; first: ${report.rejected[0].reason}`);
    }
    await this.matcher.refresh();
    return features.length;
  }

  /** Applies a history read with `readTopicHistory` from the topics of `REPLAYED_TOPICS` under `topicPrefix`. */
  async replay(history: TopicHistory, topicPrefix: string): Promise<Omit<RebuildReport, 'segments'>> {
    const contracts = new Map(REPLAYED_TOPICS.map((c) => [topicName(c, topicPrefix), c]));
    const ordered = mergeInLogOrder(history.partitions, [...contracts.keys()]);
    const applied: Record<string, number> = Object.fromEntries(REPLAYED_TOPICS.map((c) => [c.topic, 0]));
    const refused: RebuildReport['refused'] = [];
    let matched = 0;
    for (const message of ordered) {
      const contract = contracts.get(message.topic);
      if (!contract) throw new Error(`${message.topic} is not a replayed topic`);
      const now = new Date(message.timestampMs);
      this.publisher.now = now;
      const read = readEvent(contract, message);
      if (!read.ok) {
        refused.push({ topic: contract.topic, partition: message.partition, offset: message.offset, reason: read.reason });
        continue;
      }
      try {
        matched += await this.apply(contract, read.event, now);
        applied[contract.topic]++;
      } catch (err) {
        const verdict = judgeFailure(err);
        // A transient failure (the database went away) would leave a hole: stop, and let the rebuild be run again.
        if (verdict.action === 'retry') throw new Error(`${message.topic}[${message.partition}]@${message.offset}: ${verdict.reason}`);
        refused.push({ topic: contract.topic, partition: message.partition, offset: message.offset, reason: `${verdict.code}: ${verdict.reason}` });
      }
    }
    const ranked = await this.ranking.rebuild();
    return {
      applied,
      refused,
      matched,
      announcementsWithheld: this.publisher.announcementsWithheld,
      ranked,
      ends: history.ends,
      from: ordered.length ? new Date(ordered[0].timestampMs).toISOString() : null,
      to: ordered.length ? new Date(ordered[ordered.length - 1].timestampMs).toISOString() : null,
    };
  }

  /** One message through the live consumers' service method; returns the report-matched events it led to. */
  private async apply(contract: TopicContract, value: unknown, now: Date): Promise<number> {
    const event = value as never;
    switch (contract.topic) {
      case hazardReportedTopic.topic:
        await this.intake.intakeHazard(event);
        return this.handleMatched(now);
      case accidentReportedTopic.topic:
        await this.intake.intakeAccident(event);
        return this.handleMatched(now);
      case taskChangedTopic.topic:
        await this.risk.onTaskChanged(event, now);
        return 0;
      case roadsideInventoryChangedTopic.topic:
        await this.risk.onRoadsideInventoryChanged(event, now);
        return 0;
      case segmentJurisdictionTopic.topic:
        await this.jurisdictions.onAssigned((event as { payload: never }).payload);
        return 0;
      default:
        throw new Error(`no handler for ${contract.topic}`);
    }
  }

  /** What the live segments consumer does with the intake's report-matched, in process and at once. */
  private async handleMatched(now: Date): Promise<number> {
    const events = this.publisher.takeMatched();
    for (const event of events) await this.risk.onReportMatched(event, now);
    return events.length;
  }
}

/** A message as the live consumer reads it, or why the live consumer dead-letters it unread (unreadable, invalid, keyed against its contract). */
function readEvent(contract: TopicContract, message: LoggedMessage): { ok: true; event: unknown } | { ok: false; reason: string } {
  const decoded = decodeMessage(contract, message.value);
  if (!decoded.ok) return { ok: false, reason: `${decoded.code === 'UNPARSEABLE' ? DeadLetterCode.Unparseable : DeadLetterCode.InvalidSchema}: ${decoded.reason}` };
  const key = message.key?.toString('utf8') ?? null;
  const expected = contract.key(decoded.value);
  if (key !== expected) return { ok: false, reason: `${DeadLetterCode.WrongKey}: key ${JSON.stringify(key)}; the contract keys this value ${JSON.stringify(expected)}` };
  return { ok: true, event: decoded.value };
}
