import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { DAY, Harness, accidentEvent, box, hazardEvent, openHarness, photo, principals, profileEvent, riskEvent } from '../testing/harness';
import { TaskIntakeService } from './task-intake.service';

jest.setTimeout(60_000);

/** Two townships split at lon 1.53; the river road lies in West. */
const WEST = box(1.5, 42.49, 1.53, 42.52);
const EAST = box(1.53, 42.49, 1.6, 42.55);
const ROAD_WEST: [number, number][] = [[1.52, 42.505], [1.521, 42.5057]];
const ROAD_EAST: [number, number][] = [[1.58, 42.534], [1.5812, 42.5347]];
/** Crosses the boundary; its midpoint (lon 1.5325) is in East. */
const ROAD_ACROSS: [number, number][] = [[1.52, 42.5], [1.545, 42.5]];

describe(TaskIntakeService.name, () => {
  let h: Harness;

  beforeAll(async () => {
    h = await openHarness('intake');
    await h.areas.put('west', 'West township', WEST);
    await h.areas.put('east', 'East township', EAST);
    await h.areas.putCrew('west-b', 'West crew B', 'west');
    await h.areas.putCrew('west-a', 'West crew A', 'west');
    await h.areas.putCrew('east-1', 'East crew', 'east');
  });
  afterAll(async () => h.close());

  async function only(segmentId: string) {
    const items = await h.queries.list({ segmentId, limit: 50, offset: 0 }, principals.dispatcher);
    expect(items).toHaveLength(1);
    return items[0];
  }

  async function stateOf(segmentId: string) {
    const tasks = await h.ds.query(
      `SELECT countermeasure, status, version, hazard_ids, crew_id, fix_failed FROM task WHERE segment_id = $1 ORDER BY created_at, id`,
      [segmentId],
    );
    const events = await h.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE message_key = $1`, [segmentId]);
    return { tasks, events: events[0].n };
  }

  it('routes a severe hazard to the jurisdiction containing the segment, balancing its crews (ties by crew id)', async () => {
    await h.intake.onSegmentProfile(profileEvent('w-1', ROAD_WEST));
    await h.intake.onSegmentProfile(profileEvent('w-2', [[1.51, 42.5], [1.511, 42.5005]]));
    const hazard = hazardEvent('w-1', { category: 'flooded_road' });
    expect(await h.intake.onReportMatched(hazard)).toMatchObject({ kind: 'created' });
    const first = await only('w-1');
    expect(first).toMatchObject({
      countermeasure: 'drainage',
      priority: 'p1',
      status: 'assigned',
      jurisdictionId: 'west',
      crewId: 'west-a',
      hazardIds: [hazard.payload.hazardId],
      version: 2,
      rule: 'severe_hazard',
    });
    expect(first.dueAt).toBe(new Date(h.clock.current.getTime() + DAY).toISOString());
    // West crew A now holds one open task, B none: the next task goes to B.
    await h.intake.onReportMatched(hazardEvent('w-2', { category: 'pothole', severity: 'high' }));
    expect(await only('w-2')).toMatchObject({ crewId: 'west-b', priority: 'p2', countermeasure: 'surface_repair' });
    const events = await h.eventsOf(first.id);
    expect(events.map((e) => [e.payload.change, e.payload.status, e.payload.version])).toEqual([
      ['created', 'created', 1],
      ['assigned', 'assigned', 2],
    ]);
    expect(events.every((e) => e.correlationId === hazard.correlationId)).toBe(true);
  });

  it('gives a segment crossing a boundary to the jurisdiction of its midpoint', async () => {
    await h.intake.onSegmentProfile(profileEvent('x-1', ROAD_ACROSS));
    expect(await h.jurisdictions.forSegment('x-1')).toBe('east');
    await h.intake.onReportMatched(hazardEvent('x-1', { category: 'debris', severity: 'high' }));
    expect(await only('x-1')).toMatchObject({ jurisdictionId: 'east', crewId: 'east-1' });
  });

  it('is idempotent: redelivering every event, in any order, leaves the same state', async () => {
    const events = [
      profileEvent('e-1', ROAD_EAST),
      hazardEvent('e-1', { category: 'rockfall', severity: 'critical' }),
      hazardEvent('e-1', { category: 'rockfall', severity: 'low' }),
      riskEvent('e-1', { revision: 3, factors: [{ factor: 'hazard', value: 2.2, hazardCategory: 'rockfall' }] }),
    ];
    const deliver = (e: (typeof events)[number]) =>
      'kind' in e.payload ? h.intake.onReportMatched(e as never) : 'revision' in e.payload ? h.intake.onRiskChanged(e as never) : h.intake.onSegmentProfile(e as never);
    for (const e of events) await deliver(e);
    const once = await stateOf('e-1');
    expect(once.tasks).toHaveLength(1);
    expect(once.tasks[0].hazard_ids).toHaveLength(2);
    for (const e of [...events].reverse()) await deliver(e);
    for (const e of events) await deliver(e);
    expect(await stateOf('e-1')).toEqual(once);
  });

  it('handles a run of reports and of risk changes, repeats included, as it handles them one at a time', async () => {
    const forSegment = (segmentId: string) => {
      const crit = hazardEvent(segmentId, { category: 'rockfall', severity: 'critical' });
      const again = hazardEvent(segmentId, { category: 'rockfall', severity: 'high' });
      const low = hazardEvent(segmentId, { category: 'pothole', severity: 'low' });
      const fatal = accidentEvent(segmentId, { deaths: 1 });
      const risk = riskEvent(segmentId, { revision: 2, factors: [{ factor: 'hazard', value: 2.2, hazardCategory: 'rockfall' }] });
      return { reports: [crit, again, low, crit, fatal], risks: [risk, risk] };
    };
    const one = forSegment('run-1');
    const run = forSegment('run-2');
    await h.intake.onSegmentProfile(profileEvent('run-1', ROAD_EAST));
    await h.intake.onSegmentProfile(profileEvent('run-2', ROAD_EAST));
    for (const e of one.reports) await h.intake.onReportMatched(e as never);
    for (const e of one.risks) await h.intake.onRiskChanged(e);
    const outcomes = await h.intake.onReportsMatched(run.reports as never);
    await h.intake.onRisksChanged(run.risks);

    expect(outcomes.map((o) => o.kind)).toEqual(['created', 'linked', 'ignored', 'ignored', 'created']);
    // A run's tasks are created in one transaction, at one time: compared by countermeasure (and hazards by count: their ids differ).
    const byKind = async (segmentId: string) => {
      const { tasks, events } = await stateOf(segmentId);
      const sorted = [...tasks].sort((x: { countermeasure: string }, y: { countermeasure: string }) => x.countermeasure.localeCompare(y.countermeasure));
      return { events, tasks: sorted.map((t: { hazard_ids: string[] }) => ({ ...t, hazard_ids: t.hazard_ids.length })) };
    };
    const [a, b] = [await byKind('run-1'), await byKind('run-2')];
    expect(a.tasks.length).toBeGreaterThan(1);
    expect(b).toEqual(a);
  });

  it('property: any delivery order, with duplicates, converges to the same tasks', async () => {
    let run = 0;
    const normalized = async (segmentId: string) =>
      (
        await h.ds.query(
          `SELECT countermeasure, status, crew_id, jurisdiction_id, ARRAY(SELECT unnest(hazard_ids) ORDER BY 1)::text[] AS hazards
             FROM task WHERE segment_id = $1 ORDER BY countermeasure`,
          [segmentId],
        )
      ).map((t: { hazards: string[] }) => ({ ...t, hazards: t.hazards.length }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(3), { minLength: 4, maxLength: 8 }), fc.nat(23), async (extra, seed) => {
        const segmentId = `perm-${run++}`;
        const events = [
          () => h.intake.onSegmentProfile(profileEvent(segmentId, ROAD_EAST)),
          () => h.intake.onReportMatched(crit),
          () => h.intake.onReportMatched(low),
          () => h.intake.onRiskChanged(risk),
        ];
        const crit = hazardEvent(segmentId, { category: 'rockfall', severity: 'critical' });
        const low = hazardEvent(segmentId, { category: 'landslide', severity: 'low' });
        const risk = riskEvent(segmentId, { revision: 1, factors: [{ factor: 'hazard', value: 2.2, hazardCategory: 'rockfall' }] });
        // A permutation of all four (chosen by the seed), then duplicates.
        const order = [0, 1, 2, 3];
        for (let i = order.length - 1, s = seed; i > 0; i--, s = Math.floor(s / 2)) {
          const j = s % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        for (const i of [...order, ...extra]) await events[i]();
        expect(await normalized(segmentId)).toEqual([
          { countermeasure: 'rockfall_clearing', status: 'assigned', crew_id: 'east-1', jurisdiction_id: 'east', hazards: 2 },
        ]);
      }),
      { numRuns: 15 },
    );
  });

  it('keeps a task that arrives before its segment profile unassigned, and routes it when the profile comes', async () => {
    await h.intake.onReportMatched(hazardEvent('late-1', { category: 'landslide' }));
    expect(await only('late-1')).toMatchObject({ status: 'created', crewId: null, jurisdictionId: null });
    const outcome = await h.intake.onSegmentProfile(profileEvent('late-1', ROAD_EAST));
    expect(outcome).toMatchObject({ kind: 'profile', assigned: [expect.any(String)] });
    expect(await only('late-1')).toMatchObject({ status: 'assigned', crewId: 'east-1', jurisdictionId: 'east' });
  });

  it('keeps a task unassigned where no jurisdiction covers the segment', async () => {
    await h.intake.onSegmentProfile(profileEvent('far-1', [[10, 10], [10.001, 10.001]]));
    await h.intake.onReportMatched(hazardEvent('far-1'));
    expect(await only('far-1')).toMatchObject({ status: 'created', crewId: null, jurisdictionId: null });
  });

  it('opens a task when a segment reaches the top risk level (once per revision), linking its open hazards', async () => {
    await h.intake.onSegmentProfile(profileEvent('r-1', ROAD_EAST));
    const medium = hazardEvent('r-1', { category: 'flooded_road', severity: 'medium' });
    expect(await h.intake.onReportMatched(medium)).toMatchObject({ kind: 'ignored' });
    expect(await h.intake.onRiskChanged(riskEvent('r-1', { revision: 1, level: 'high', previousLevel: 'medium' }))).toMatchObject({ kind: 'ignored' });
    const top = riskEvent('r-1', { revision: 2 });
    expect(await h.intake.onRiskChanged(top)).toMatchObject({ kind: 'created' });
    expect(await only('r-1')).toMatchObject({ countermeasure: 'drainage', rule: 'risk_level', riskLevel: 'very_high', hazardIds: [medium.payload.hazardId] });
    expect(await h.intake.onRiskChanged(top)).toMatchObject({ kind: 'ignored', why: expect.stringMatching(/already applied/) });
    expect(await h.intake.onRiskChanged(riskEvent('r-1', { revision: 1 }))).toMatchObject({ kind: 'ignored' });
  });

  it('opens one site investigation for every fatal crash, with its own SLA, whatever the risk level', async () => {
    await h.intake.onSegmentProfile(profileEvent('f-1', ROAD_WEST));
    const serious = accidentEvent('f-1');
    expect(await h.intake.onReportMatched(serious)).toMatchObject({ kind: 'ignored' });
    const fatal = accidentEvent('f-1', { deaths: 1, occurredAt: '2026-11-20T21:40:00Z' });
    expect(await h.intake.onReportMatched(fatal)).toMatchObject({ kind: 'created' });
    const task = await only('f-1');
    expect(task).toMatchObject({
      countermeasure: 'site_investigation',
      rule: 'fatal_crash',
      priority: 'p1',
      status: 'assigned',
      jurisdictionId: 'west',
      reason: 'fatal crash (1 death) on 2026-11-20: investigate the road',
    });
    // SLA_HOURS_FATAL_INVESTIGATION (168 h by default), not the p1 SLA of 24 h.
    expect(task.dueAt).toBe(new Date(h.clock.current.getTime() + 168 * 3_600_000).toISOString());
    // Redelivered: the crash is recorded once, no second investigation.
    expect(await h.intake.onReportMatched(fatal)).toMatchObject({ kind: 'ignored' });
    expect(await h.ds.query(`SELECT count(*)::int AS n FROM task WHERE segment_id = 'f-1'`)).toEqual([{ n: 1 }]);
  });

  it('does not reopen a loop from a redelivered risk change after the fix was verified', async () => {
    await h.intake.onSegmentProfile(profileEvent('r-2', ROAD_EAST));
    const top = riskEvent('r-2', { revision: 5 });
    await h.intake.onRiskChanged(top);
    const task = await only('r-2');
    const crew = principals.crew(task.crewId!);
    await h.commands.execute(task.id, crew, { action: 'accept' });
    await h.commands.execute(task.id, crew, { action: 'start' });
    await h.commands.execute(task.id, crew, {
      action: 'submit',
      evidence: { photos: [photo], position: { lon: 1.5806, lat: 42.5343, accuracyM: 5 }, capturedAt: h.clock.now().toISOString() },
    });
    await h.commands.execute(task.id, principals.inspector, { action: 'verify' });
    await h.intake.onRiskChanged(top);
    expect(await only('r-2')).toMatchObject({ status: 'verified' });
  });

  it('does not ask again for a fix verified after the risk that asks for it was computed; a later risk may', async () => {
    await h.intake.onSegmentProfile(profileEvent('r-3', ROAD_EAST));
    const computedAt = h.clock.now().getTime();
    await h.intake.onRiskChanged(riskEvent('r-3', { revision: 1 }));
    const task = await only('r-3');
    const crew = principals.crew(task.crewId!);
    h.clock.advance(3_600_000);
    await h.commands.execute(task.id, crew, { action: 'accept' });
    await h.commands.execute(task.id, crew, { action: 'start' });
    await h.commands.execute(task.id, crew, {
      action: 'submit',
      evidence: { photos: [photo], position: { lon: 1.5806, lat: 42.5343, accuracyM: 5 }, capturedAt: h.clock.now().toISOString() },
    });
    await h.commands.execute(task.id, principals.inspector, { action: 'verify' });
    // A rise computed before the verification, delivered after it (the consumer was behind).
    const late = { ...riskEvent('r-3', { revision: 3, previousLevel: 'medium' }), occurredAt: new Date(computedAt + 60_000).toISOString() };
    expect(await h.intake.onRiskChanged(late)).toMatchObject({ kind: 'ignored', why: expect.stringMatching(/predates the drainage verified/) });
    expect(await only('r-3')).toMatchObject({ status: 'verified' });
    // A rise computed after the verification asks for the fix again.
    const later = { ...riskEvent('r-3', { revision: 4, previousLevel: 'medium' }), occurredAt: new Date(h.clock.now().getTime() + 60_000).toISOString() };
    expect(await h.intake.onRiskChanged(later)).toMatchObject({ kind: 'created' });
  });

  describe('mandatory protection', () => {
    it('records that an unprotected water side needs a survey (no guardrail is known there), not a guardrail task', async () => {
      const first = profileEvent('m-1', ROAD_WEST, { waterDistanceM: 6, waterSide: 'right', guardrail: { left: 1, right: 0.1 } }, '2026-11-20T00:00:00Z');
      expect(await h.intake.onSegmentProfile(first)).toEqual({ kind: 'profile', assigned: [], needs: ['right:survey'] });
      expect((await stateOf('m-1')).tasks).toEqual([]);
      const reimport = profileEvent('m-1', ROAD_WEST, { waterDistanceM: 6, waterSide: 'right', guardrail: { left: 1, right: 0.1 } }, '2026-11-21T00:00:00Z');
      expect(await h.intake.onSegmentProfile(reimport)).toMatchObject({ needs: ['right:survey'] });
      expect(await h.intake.onSegmentProfile(first)).toMatchObject({ kind: 'ignored' });
      const [survey] = await h.roadside.plan();
      expect(await only('m-1')).toMatchObject({ id: survey, countermeasure: 'roadside_survey', side: null, priority: 'p2', rule: 'mandatory_protection', crewId: expect.any(String) });
      expect(await h.roadside.plan()).toEqual([]);
    });

    it('leaves protected sides, far water and minor road classes alone', async () => {
      await h.intake.onSegmentProfile(profileEvent('m-2', ROAD_WEST, { waterDistanceM: 6, waterSide: 'right', guardrail: { left: 0, right: 0.8 } }));
      await h.intake.onSegmentProfile(profileEvent('m-3', ROAD_WEST, { roadClass: 'track', dropLeftM: 30, guardrail: { left: 0, right: 0 } }));
      await h.roadside.plan();
      expect((await stateOf('m-2')).tasks).toEqual([]);
      expect((await stateOf('m-3')).tasks).toEqual([]);
    });

    it('can be switched off', async () => {
      const off = await openHarness('intakeoff', { MANDATORY_PROTECTION_ENABLED: 'false' });
      try {
        await off.intake.onSegmentProfile(profileEvent('m-4', ROAD_WEST, { dropLeftM: 30, guardrail: { left: 0, right: 0 } }));
        expect(await off.ds.query(`SELECT id FROM task`)).toEqual([]);
      } finally {
        await off.close();
      }
    });
  });

  describe('reopen rule', () => {
    async function verifiedTask(segmentId: string, category: 'rockfall' | 'missing_guardrail' = 'rockfall') {
      await h.intake.onSegmentProfile(profileEvent(segmentId, ROAD_EAST));
      const hazard = hazardEvent(segmentId, { category });
      await h.intake.onReportMatched(hazard);
      const task = await only(segmentId);
      const crew = principals.crew(task.crewId!);
      await h.commands.execute(task.id, crew, { action: 'accept' });
      await h.commands.execute(task.id, crew, { action: 'start' });
      await h.commands.execute(task.id, crew, {
        action: 'submit',
        evidence: { photos: [photo], position: { lon: 1.5806, lat: 42.5343, accuracyM: 5 }, capturedAt: h.clock.now().toISOString() },
      });
      await h.commands.execute(task.id, principals.inspector, { action: 'verify' });
      return { task: (await h.tasks.find(task.id))!, hazard };
    }

    it('reopens a verified task as a failed fix on a crash within the window, once, and routes it again', async () => {
      const { task } = await verifiedTask('o-1');
      const crash = accidentEvent('o-1', { occurredAt: new Date(task.verifiedAt!.getTime() + 30 * DAY).toISOString() });
      expect(await h.intake.onReportMatched(crash)).toEqual({ kind: 'reopened', taskIds: [task.id] });
      const reopened = await only('o-1');
      expect(reopened).toMatchObject({ fixFailed: true, status: 'assigned', reopenCount: 1, priority: 'p1', crewId: 'east-1' });
      const changes = (await h.eventsOf(task.id)).map((e) => e.payload);
      const reopenEvent = changes.find((c) => c.change === 'reopened')!;
      expect(reopenEvent).toMatchObject({ status: 'reopened', previousStatus: 'verified', fixFailed: true, actor: { role: 'system' } });
      expect(reopenEvent.reason).toMatch(/serious crash 30 days after verification/);
      expect(changes.map((c) => c.version)).toEqual(changes.map((_, i) => i + 1));
      const before = await stateOf('o-1');
      expect(await h.intake.onReportMatched(crash)).toMatchObject({ kind: 'ignored' });
      expect(await stateOf('o-1')).toEqual(before);
    });

    it('does not reopen for a crash outside the window or before the verification', async () => {
      const { task } = await verifiedTask('o-2');
      const late = accidentEvent('o-2', { occurredAt: new Date(task.verifiedAt!.getTime() + 91 * DAY).toISOString() });
      const earlier = accidentEvent('o-2', { occurredAt: new Date(task.verifiedAt!.getTime() - DAY).toISOString() });
      expect(await h.intake.onReportMatched(late)).toMatchObject({ kind: 'ignored' });
      expect(await h.intake.onReportMatched(earlier)).toMatchObject({ kind: 'ignored' });
      expect(await only('o-2')).toMatchObject({ status: 'verified', fixFailed: false });
    });

    it('reopens on a hazard of the same category within the window, linking it; another category opens its own task', async () => {
      const { task, hazard } = await verifiedTask('o-3', 'missing_guardrail');
      const again = hazardEvent('o-3', { category: 'damaged_guardrail', severity: 'medium', reportedAt: new Date(task.verifiedAt!.getTime() + 2 * DAY).toISOString() });
      expect(await h.intake.onReportMatched(again)).toEqual({ kind: 'reopened', taskIds: [task.id] });
      expect((await h.tasks.find(task.id))!).toMatchObject({ fixFailed: true, hazardIds: [hazard.payload.hazardId, again.payload.hazardId] });
      const other = hazardEvent('o-3', { category: 'pothole', severity: 'critical', reportedAt: again.payload.reportedAt });
      expect(await h.intake.onReportMatched(other)).toMatchObject({ kind: 'created' });
    });

    it('links a hazard reported before the verification but heard of after it to the fix that covered it', async () => {
      const { task, hazard } = await verifiedTask('o-4', 'missing_guardrail');
      // Reported an hour before the fix was verified; its event was delayed.
      const late = hazardEvent('o-4', { category: 'missing_guardrail', severity: 'critical', reportedAt: new Date(task.verifiedAt!.getTime() - 3_600_000).toISOString() });
      expect(await h.intake.onReportMatched(late)).toEqual({ kind: 'linked', taskId: task.id });
      expect(await only('o-4')).toMatchObject({ id: task.id, status: 'verified', fixFailed: false, hazardIds: [hazard.payload.hazardId, late.payload.hazardId] });
    });
  });
});
