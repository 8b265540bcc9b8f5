import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  AccidentReportedEvent,
  DeadLetterCode,
  HazardReportedEvent,
  accidentReportedTopic,
  hazardReportedTopic,
  reportMatchedTopic,
} from '@roadloop/contracts';
import type { EventPublisher } from '@roadloop/kafka';
import type { AccidentRepository } from '../accidents/accident.repository';
import type { HazardRepository, ReportClaim } from '../hazards/hazard.repository';
import type { Placement, SegmentMatcherHolder } from '../segments/segment-matcher.holder';
import { IntakeException } from './intake.exception';
import { ReportIntakeService } from './report-intake.service';

/** A fake that has only the methods given: any other the service reaches for fails the test. */
function strict<T extends object>(name: string, methods: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(methods, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof typeof target];
      if (prop === 'then') return undefined;
      throw new Error(`${name}.${String(prop)} was not expected`);
    },
  }) as T;
}

const ON_ROAD: Placement = { segmentId: 'w7-2', distanceM: 4.5, offsetM: 61 };

const hazard = (): HazardReportedEvent =>
  hazardReportedTopic.valueSchema.parse({
    eventId: randomUUID(), occurredAt: '2026-11-20T08:15:00Z', schemaVersion: 1, source: 'ingest-gateway', correlationId: 'req-42',
    payload: { hazardId: randomUUID(), category: 'rockfall', severity: 'high', lon: 1.52, lat: 42.5, reportedAt: '2026-11-20T07:59:00Z' },
  });

const accident = (): AccidentReportedEvent =>
  accidentReportedTopic.valueSchema.parse({
    eventId: randomUUID(), occurredAt: '2026-11-21T17:40:00Z', schemaVersion: 1, source: 'police-system', correlationId: 'c-1',
    payload: { accidentId: randomUUID(), externalId: 'PD-2026-0042', occurredAt: '2026-11-21T08:00:00Z', lon: 1.52, lat: 42.5, deaths: 0, seriousInjuries: 1, slightInjuries: 0, propertyDamageOnly: false, vehicles: 1 },
  });

const claim = (over: Partial<ReportClaim>): ReportClaim => ({
  id: 'x', eventId: 'e', externalId: null, sameContent: true, segmentId: ON_ROAD.segmentId, matchDistanceM: ON_ROAD.distanceM, offsetM: ON_ROAD.offsetM, ...over,
});

/** The service over fakes: `claims` answers each read in turn, `inserted` each insert in turn. */
function setUp({ claims = [[]], inserted = [true], placement = ON_ROAD }: { claims?: ReportClaim[][]; inserted?: boolean[]; placement?: Placement | null } = {}) {
  const calls = { placed: 0, inserts: [] as unknown[], published: [] as { topic: string; payload: Record<string, unknown>; correlationId: string }[] };
  const reads = [...claims];
  const inserts = [...inserted];
  const repository = {
    claims: async () => reads.shift() ?? [],
    insertIfNew: async (_report: unknown, row: unknown) => {
      calls.inserts.push(row);
      return inserts.shift() ?? true;
    },
  };
  const service = new ReportIntakeService(
    strict<SegmentMatcherHolder>('matcher', {
      place: async () => {
        calls.placed++;
        return placement;
      },
    }),
    strict<HazardRepository>('hazards', repository),
    strict<AccidentRepository>('accidents', repository),
    strict<EventPublisher>('publisher', {
      publish: async (contract: { topic: string }, payload: Record<string, unknown>, options: { correlationId: string }) => {
        calls.published.push({ topic: contract.topic, payload, correlationId: options.correlationId });
        return {};
      },
    }),
  );
  return { service, calls };
}

describe(ReportIntakeService.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('places a new hazard on its road, records it there and announces it with its placement', async () => {
    const { service, calls } = setUp();
    const event = hazard();
    expect(await service.intakeHazard(event)).toEqual({ segmentId: 'w7-2', duplicateDelivery: false, published: true });
    expect(calls.inserts).toEqual([{ eventId: event.eventId, correlationId: 'req-42', segmentId: 'w7-2', matchDistanceM: 4.5, offsetM: 61 }]);
    expect(calls.published).toEqual([
      {
        topic: reportMatchedTopic.topic,
        correlationId: 'req-42',
        payload: { kind: 'hazard', hazardId: event.payload.hazardId, category: 'rockfall', severity: 'high', reportedAt: event.payload.reportedAt, lon: 1.52, lat: 42.5, ...ON_ROAD },
      },
    ]);
  });

  it('keeps a hazard on no known road unmatched and announces nothing', async () => {
    const { service, calls } = setUp({ placement: null });
    expect(await service.intakeHazard(hazard())).toEqual({ segmentId: null, duplicateDelivery: false, published: false });
    expect(calls.inserts).toEqual([expect.objectContaining({ segmentId: null, matchDistanceM: null, offsetM: null })]);
    expect(calls.published).toEqual([]);
  });

  it('announces a redelivered hazard again where it was first placed, without placing or recording it again', async () => {
    const event = hazard();
    const first = claim({ id: event.payload.hazardId, eventId: event.eventId, segmentId: 'w9-0', matchDistanceM: 2, offsetM: 5 });
    const { service, calls } = setUp({ claims: [[first]] });
    expect(await service.intakeHazard(event)).toEqual({ segmentId: 'w9-0', duplicateDelivery: true, published: true });
    expect(calls.placed).toBe(0);
    expect(calls.inserts).toEqual([]);
    expect(calls.published.map((p) => p.payload)).toEqual([expect.objectContaining({ segmentId: 'w9-0', distanceM: 2, offsetM: 5 })]);
  });

  it('judges again on what took the id when another delivery inserted it between the read and the insert', async () => {
    const event = hazard();
    const other = claim({ id: event.payload.hazardId, eventId: event.eventId });
    const { service, calls } = setUp({ claims: [[], [other]], inserted: [false] });
    expect(await service.intakeHazard(event)).toEqual({ segmentId: 'w7-2', duplicateDelivery: true, published: true });
    expect(calls.inserts).toHaveLength(1);
  });

  it('refuses a reused event id with its dead-letter code and announces nothing', async () => {
    const event = hazard();
    const { service, calls } = setUp({ claims: [[claim({ id: randomUUID(), eventId: event.eventId })]] });
    const refusal = await service.intakeHazard(event).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(IntakeException);
    expect((refusal as IntakeException).code).toBe(DeadLetterCode.DuplicateEventId);
    expect(calls.inserts).toEqual([]);
    expect(calls.published).toEqual([]);
  });

  it('fails loudly when the id was taken and then cannot be found, rather than loop', async () => {
    const { service, calls } = setUp({ claims: [[], []], inserted: [false, false] });
    await expect(service.intakeHazard(hazard())).rejects.toThrow(/its id was taken, then not found/);
    expect(calls.inserts).toHaveLength(2);
    expect(calls.published).toEqual([]);
  });

  it('announces a crash with its casualties and external id', async () => {
    const { service, calls } = setUp();
    const event = accident();
    expect(await service.intakeAccident(event)).toEqual({ segmentId: 'w7-2', duplicateDelivery: false, published: true });
    expect(calls.published.map((p) => p.payload)).toEqual([
      {
        kind: 'accident', accidentId: event.payload.accidentId, externalId: 'PD-2026-0042', occurredAt: event.payload.occurredAt,
        deaths: 0, seriousInjuries: 1, slightInjuries: 0, propertyDamageOnly: false, lon: 1.52, lat: 42.5, ...ON_ROAD,
      },
    ]);
  });

  describe('a run of hazard reports', () => {
    /** The service over fakes for a run: rows hold the `taken` ids (hazard or event ids) already, and the insert skips a report holding one. */
    function runSetUp(taken: string[]) {
      const calls = { insertStatements: 0, inserted: [] as string[], publishRequests: 0, published: [] as string[] };
      const service = new ReportIntakeService(
        strict<SegmentMatcherHolder>('matcher', { place: async (lon: number) => (lon < 0 ? null : ON_ROAD) }),
        strict<HazardRepository>('hazards', {
          insertManyIfNew: async (rows: { report: { hazardId: string }; placement: { eventId: string } }[]) => {
            calls.insertStatements++;
            const won = rows.filter((r) => !taken.includes(r.report.hazardId) && !taken.includes(r.placement.eventId)).map((r) => r.report.hazardId);
            calls.inserted.push(...won);
            return new Set(won);
          },
        }),
        strict<AccidentRepository>('accidents', {}),
        strict<EventPublisher>('publisher', {
          publishEach: async (_contract: unknown, events: { payload: { hazardId: string } }[]) => {
            calls.publishRequests++;
            calls.published.push(...events.map((e) => e.payload.hazardId));
            return [];
          },
        }),
      );
      return { service, calls };
    }

    it('records the new ones in one statement and announces them in one request, leaving what it must judge alone', async () => {
      const [fresh, redelivered, repeated, raced, offRoad, eventReused] = [hazard(), hazard(), hazard(), hazard(), hazard(), hazard()];
      offRoad.payload.lon = -1;
      const again = { ...repeated, eventId: randomUUID() };
      const { service, calls } = runSetUp([redelivered.payload.hazardId, raced.payload.hazardId, eventReused.eventId]);
      const { outcomes, left } = await service.intakeHazards([fresh, redelivered, repeated, again, raced, offRoad, eventReused]);
      expect(calls.insertStatements).toBe(1);
      expect(calls.inserted).toEqual([fresh.payload.hazardId, repeated.payload.hazardId, offRoad.payload.hazardId]);
      expect(calls.publishRequests).toBe(1);
      expect(calls.published).toEqual([fresh.payload.hazardId, repeated.payload.hazardId]);
      // The redelivery, the second report with an id the run used, the one another partition recorded
      // first, and the one whose event id a row holds (under another hazard id).
      expect(left).toEqual([1, 3, 4, 6]);
      expect(outcomes[0]).toEqual({ segmentId: 'w7-2', duplicateDelivery: false, published: true });
      expect(outcomes[5]).toEqual({ segmentId: null, duplicateDelivery: false, published: false });
      expect(outcomes[1]).toBeUndefined();
    });
  });
});
