import { Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  AccidentMatched,
  HazardMatched,
  ReportMatchedEvent,
  SegmentProfile,
  SegmentProfileEvent,
  SegmentRiskChangedV2,
  SegmentJurisdictionEvent,
  SegmentRiskChangedV2Event,
  TaskChangedEvent,
  reportMatchedTopic,
  segmentJurisdictionTopic,
  segmentProfileTopic,
  segmentRiskChangedV2Topic,
  taskChangedTopic,
  topicName,
} from '@roadloop/contracts';
import { Principal } from '@roadloop/auth';
import { TransactionRunner, openDatabase } from '@roadloop/persistence';
import { Clock } from '../clock';
import { TaskConfig, loadTaskConfig } from '../config';
import { CrewQueueRepository } from '../crews/crew-queue.repository';
import { CrewQueue } from '../crews/crew-queue.service';
import { ProgrammeRepository } from '../programmes/programme.repository';
import { ProgrammeService } from '../programmes/programme.service';
import { RoadsideRepository } from '../roadside/roadside.repository';
import { RoadsideService } from '../roadside/roadside.service';
import { JurisdictionRepository } from '../jurisdictions/jurisdiction.repository';
import { DailyIndexRepository } from '../jurisdictions/daily-index.repository';
import { DailyIndexService } from '../jurisdictions/daily-index.service';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service';
import { SegmentJurisdictionRepository } from '../jurisdictions/segment-jurisdiction.repository';
import { SegmentJurisdictionService } from '../jurisdictions/segment-jurisdiction.service';
import { TASK_MIGRATIONS } from '../migrations';
import { OutboxNudge } from '../outbox/outbox-nudge';
import { OutboxRepository } from '../outbox/outbox.repository';
import { PhotoRepository } from '../photos/photo.repository';
import { SegmentRefRepository } from '../segments/segment-ref.repository';
import { AssignmentService } from '../tasks/assignment.service';
import { EscalationService } from '../tasks/escalation.service';
import { TaskCommandService } from '../tasks/task-command.service';
import { TaskIntakeService } from '../tasks/task-intake.service';
import { TaskLedger } from '../tasks/task-ledger.service';
import { TaskQueryService } from '../tasks/task-query.service';
import { TaskReopenService } from '../tasks/task-reopen.service';
import { TaskRepository } from '../tasks/task.repository';

/** Integration tests: the real PostgreSQL, a fresh schema per test file, the services wired by hand. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roadloop';

export class FakeClock extends Clock {
  constructor(public current: Date) {
    super();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export class CountingNudge extends OutboxNudge {
  count = 0;
  nudge(): void {
    this.count++;
  }
}

// Quiet: services log through Nest's static logger.
Logger.overrideLogger(false);

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export async function openHarness(label: string, env: Record<string, string> = {}) {
  const schema = `int_${label}_${randomBytes(4).toString('hex')}`;
  const ds: DataSource = await openDatabase({ url: DATABASE_URL, schema, entities: [], migrations: TASK_MIGRATIONS, poolSize: 4 }, true);
  const config: TaskConfig = loadTaskConfig({ NODE_ENV: 'test', DB_SCHEMA: schema, KAFKA_TOPIC_PREFIX: 'int', ...env });
  const clock = new FakeClock(new Date('2026-11-27T08:00:00Z'));
  const tx = new TransactionRunner(ds);
  const nudge = new CountingNudge();
  const tasks = new TaskRepository(ds);
  const outbox = new OutboxRepository(ds);
  const segments = new SegmentRefRepository(ds);
  const jurisdictions = new JurisdictionRepository(ds);
  const crewQueue = new CrewQueue(new CrewQueueRepository(ds), tasks, config);
  const ledger = new TaskLedger(tasks, outbox, clock, config, crewQueue);
  const assignment = new AssignmentService(jurisdictions, tasks, ledger, crewQueue, config, segments);
  const reopener = new TaskReopenService(tasks, segments, ledger, assignment, clock, config);
  const assignments = new SegmentJurisdictionRepository(ds);
  const segmentJurisdictions = new SegmentJurisdictionService(assignments, outbox, clock, config);
  const roadsideRepository = new RoadsideRepository(ds);
  const roadside = new RoadsideService(tx, roadsideRepository, tasks, ledger, assignment, outbox, clock, config, nudge);
  const programmes = new ProgrammeService(tx, new ProgrammeRepository(ds), roadsideRepository, ledger, assignment, clock, config, nudge);
  const intake = new TaskIntakeService(tx, tasks, segments, assignment, ledger, clock, nudge, reopener, segmentJurisdictions, config, roadside);
  const photos = new PhotoRepository(ds);
  const commands = new TaskCommandService(tx, tasks, jurisdictions, segments, ledger, reopener, clock, nudge, config, photos, roadside);
  const queries = new TaskQueryService(tasks, clock, photos);
  const escalation = new EscalationService(tx, tasks, ledger, clock, nudge, config);
  const daily = new DailyIndexService(new DailyIndexRepository(ds), jurisdictions, clock, config);
  const areas = new JurisdictionService(jurisdictions, tasks, clock, tx, assignment, segmentJurisdictions, config, nudge);
  return {
    schema,
    ds,
    config,
    clock,
    tx,
    nudge,
    tasks,
    outbox,
    segments,
    jurisdictions,
    assignments,
    segmentJurisdictions,
    intake,
    roadside,
    programmes,
    ledger,
    assignment,
    photos,
    commands,
    queries,
    escalation,
    areas,
    daily,
    /** Every task.changed event written to the outbox, oldest first. */
    async events(): Promise<TaskChangedEvent[]> {
      const rows: { value: TaskChangedEvent }[] = await ds.query(`SELECT value FROM outbox WHERE topic = $1 ORDER BY seq`, [
        topicName(taskChangedTopic, config.KAFKA_TOPIC_PREFIX),
      ]);
      return rows.map((r) => r.value);
    },
    /** Every segment.jurisdiction event written to the outbox, oldest first. */
    async assignmentEvents(): Promise<SegmentJurisdictionEvent[]> {
      const rows: { value: SegmentJurisdictionEvent }[] = await ds.query(`SELECT value FROM outbox WHERE topic = $1 ORDER BY seq`, [
        topicName(segmentJurisdictionTopic, config.KAFKA_TOPIC_PREFIX),
      ]);
      return rows.map((r) => r.value);
    },
    async eventsOf(taskId: string): Promise<TaskChangedEvent[]> {
      return (await this.events()).filter((e) => e.payload.taskId === taskId);
    },
    async close() {
      await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await ds.destroy();
    },
  };
}
export type Harness = Awaited<ReturnType<typeof openHarness>>;

const envelope = (occurredAt = new Date().toISOString()) => ({
  eventId: randomUUID(),
  occurredAt,
  schemaVersion: 1 as const,
  source: 'int-test',
  correlationId: `c-${randomUUID().slice(0, 8)}`,
});

/** A rectangle polygon in lon/lat. */
export function box(minLon: number, minLat: number, maxLon: number, maxLat: number) {
  return {
    type: 'Polygon' as const,
    coordinates: [[[minLon, minLat], [maxLon, minLat], [maxLon, maxLat], [minLon, maxLat], [minLon, minLat]] as [number, number][]],
  };
}

export function profileEvent(segmentId: string, coordinates: [number, number][], over: Partial<SegmentProfile> = {}, occurredAt?: string): SegmentProfileEvent {
  const value = {
    ...envelope(occurredAt),
    payload: {
      segmentId,
      geometry: { type: 'LineString' as const, coordinates },
      roadClass: 'primary',
      name: null,
      lengthM: 100,
      waterDistanceM: null,
      waterSide: null,
      cliffSide: null,
      dropLeftM: null,
      dropRightM: null,
      guardrail: { left: 1, right: 1 },
      exposureScore: 10,
      exposureLevel: 'low',
      ...over,
    },
  };
  return segmentProfileTopic.valueSchema.parse(value);
}

export type HazardMatchedEvent = ReportMatchedEvent & { payload: HazardMatched };

export function hazardEvent(segmentId: string, over: Partial<HazardMatched> = {}): HazardMatchedEvent {
  return reportMatchedTopic.valueSchema.parse({
    ...envelope(),
    payload: {
      kind: 'hazard',
      hazardId: randomUUID(),
      category: 'rockfall',
      severity: 'critical',
      reportedAt: '2026-11-27T07:00:00Z',
      segmentId,
      distanceM: 3,
      offsetM: 10,
      lon: 1.52,
      lat: 42.5,
      ...over,
    },
  }) as HazardMatchedEvent;
}

export function accidentEvent(segmentId: string, over: Partial<AccidentMatched> = {}): ReportMatchedEvent {
  return reportMatchedTopic.valueSchema.parse({
    ...envelope(),
    payload: {
      kind: 'accident',
      accidentId: randomUUID(),
      occurredAt: '2026-12-01T18:00:00Z',
      deaths: 0,
      seriousInjuries: 1,
      slightInjuries: 0,
      propertyDamageOnly: false,
      segmentId,
      distanceM: 5,
      offsetM: 20,
      lon: 1.52,
      lat: 42.5,
      ...over,
    },
  });
}

export function riskEvent(segmentId: string, over: Partial<SegmentRiskChangedV2> = {}): SegmentRiskChangedV2Event {
  return segmentRiskChangedV2Topic.valueSchema.parse({
    ...envelope(),
    schemaVersion: 2,
    payload: {
      segmentId,
      previousLevel: 'high',
      level: 'very_high',
      score: 0.52,
      alarm: 'red',
      revision: 1,
      factors: [
        { factor: 'traffic', value: 0.83 },
        { factor: 'hazard', value: 2.2, detail: 'critical flooded road open', hazardCategory: 'flooded_road' },
        { factor: 'severity', value: 0.12 },
      ],
      modelVersion: '2.0.0',
      ...over,
    },
  });
}

export const principals = {
  dispatcher: { id: 'dora', role: 'dispatcher', crewId: null } as Principal,
  inspector: { id: 'ivan', role: 'inspector', crewId: null } as Principal,
  analyst: { id: 'ana', role: 'analyst', crewId: null } as Principal,
  crew: (crewId: string): Principal => ({ id: `member-of-${crewId}`, role: 'crew', crewId }),
};

export const photo = { url: 'https://photos.example.org/fix-1.jpg', sha256: 'a'.repeat(64) };
