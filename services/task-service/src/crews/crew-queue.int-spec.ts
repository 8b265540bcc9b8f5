import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DAY, HOUR, Harness, box, hazardEvent, openHarness, photo, principals, profileEvent } from '../testing/harness';
import { CrewQueue } from './crew-queue.service';

jest.setTimeout(60_000);

const ROAD: [number, number][] = [[1.52, 42.505], [1.521, 42.5057]];
const OUTSIDE: [number, number][] = [[1.7, 42.6], [1.701, 42.6007]];
const unguarded = { guardrail: { left: 0, right: 0 } };
/** Water 5 m to the left: guardrail MUST (p2). */
const waterSide = { ...unguarded, waterDistanceM: 5, waterSide: 'left' as const };
/** A cliff on the left only: guardrail SHOULD (p3). */
const cliffSide = { ...unguarded, cliffSide: 'left' as const };

describe(CrewQueue.name, () => {
  let h: Harness;
  let n = 0;

  beforeAll(async () => {
    h = await openHarness('crewqueue', { DEFAULT_CREW_ID: 'region-crew', SLA_HOURS_P2: '72', SLA_HOURS_P3: '240' });
    await h.areas.put('hill', 'Hill township', box(1.5, 42.49, 1.56, 42.52));
    await h.areas.put('pass', 'Pass township (no crew)', box(1.6, 42.49, 1.65, 42.52));
    await h.areas.putCrew('hill-crew', 'Hill crew', 'hill', { works: 2 });
  });
  afterAll(async () => h.close());

  /** A guardrail task on a fresh segment: its left side needs protection, and an import says none stands there. */
  async function guardrailTask(over: object, coordinates = ROAD) {
    const segmentId = `q-${n++}`;
    await h.intake.onSegmentProfile(profileEvent(segmentId, coordinates, over));
    const { opened } = await h.roadside.importInventory([{ segmentId, side: 'left', fromM: 0, toM: 100, status: 'absent' }], 'admin-1');
    expect(opened).toHaveLength(1);
    const [task] = await h.queries.list({ segmentId, limit: 1, offset: 0 }, principals.dispatcher);
    return task;
  }
  const find = async (id: string) => (await h.queries.detail(id, principals.dispatcher));
  async function verify(id: string) {
    const crew = principals.crew((await find(id)).crewId!);
    await h.commands.execute(id, crew, { action: 'accept' });
    await h.commands.execute(id, crew, { action: 'start' });
    await h.commands.execute(id, crew, {
      action: 'submit',
      evidence: { photos: [photo], position: { lon: 1.5205, lat: 42.50535, accuracyM: 5 }, capturedAt: h.clock.now().toISOString() },
    });
    await h.commands.execute(id, principals.inspector, { action: 'verify' });
  }
  const releasedWorks = async () =>
    Number((await h.ds.query(`SELECT count(*) AS n FROM task WHERE crew_id = 'hill-crew' AND status NOT IN ('created', 'verified', 'cancelled', 'duplicate', 'unable_to_fix') AND priority <> 'p1' AND rule = 'mandatory_protection'`))[0].n);

  it('releases works up to the capacity, queues the rest in priority order, sends urgent work at once, and starts the SLA clock at release', async () => {
    const a = await guardrailTask(cliffSide); // p3
    h.clock.advance(HOUR);
    const b = await guardrailTask(cliffSide); // p3
    h.clock.advance(HOUR);
    const c = await guardrailTask(cliffSide); // p3, queued
    h.clock.advance(HOUR);
    const d = await guardrailTask(waterSide); // p2, queued
    h.clock.advance(HOUR);
    const e = await guardrailTask(waterSide); // p2, queued
    expect([a, b].map((t) => [t.status, t.crewId, t.queued])).toEqual([['assigned', 'hill-crew', false], ['assigned', 'hill-crew', false]]);
    expect([c, d, e].map((t) => [t.status, t.crewId, t.queued])).toEqual([['created', 'hill-crew', true], ['created', 'hill-crew', true], ['created', 'hill-crew', true]]);

    // A critical hazard (p1) and a high one (hazard work) go out at once, beyond the works capacity.
    await h.intake.onReportMatched(hazardEvent(a.segmentId, { category: 'rockfall', severity: 'critical' }));
    await h.intake.onReportMatched(hazardEvent(b.segmentId, { category: 'pothole', severity: 'high' }));
    const urgent = (await h.queries.list({ crewId: 'hill-crew', limit: 50, offset: 0 }, principals.dispatcher)).filter((t) => t.rule === 'severe_hazard');
    expect(urgent.map((t) => [t.priority, t.status]).sort()).toEqual([['p1', 'assigned'], ['p2', 'assigned']]);
    expect(await releasedWorks()).toBe(2);

    // Eleven days on: the released p3 tasks are late, the queued ones are not (they have not started).
    h.clock.advance(11 * DAY);
    const overdue = await h.queries.list({ crewId: 'hill-crew', overdue: true, limit: 50, offset: 0 }, principals.dispatcher);
    expect(overdue.map((t) => t.id).sort()).toEqual(expect.arrayContaining([a.id, b.id].sort()));
    expect(overdue.map((t) => t.id)).not.toEqual(expect.arrayContaining([c.id]));
    expect((await find(c.id)).overdue).toBe(false);

    // a is verified: the oldest p2 (d) is released, with its SLA from now; then b is cancelled: e follows; c (p3) waits.
    await verify(a.id);
    const dNow = await find(d.id);
    expect([dNow.status, dNow.queued]).toEqual(['assigned', false]);
    expect(new Date(dNow.dueAt).getTime()).toBe(h.clock.now().getTime() + 72 * HOUR);
    expect((await find(e.id)).status).toBe('created');
    expect(await releasedWorks()).toBe(2);
    await h.commands.execute(b.id, principals.dispatcher, { action: 'cancel', reason: 'the road is closed for the winter' });
    expect((await find(e.id)).status).toBe('assigned');
    expect((await find(c.id)).status).toBe('created');
    expect(await releasedWorks()).toBe(2);
    const released = (await find(e.id)).history.find((x) => x.change === 'assigned');
    expect(released?.reason).toMatch(/^released from the queue of hill-crew: a works slot is free \(capacity 2\)$/);

    // A raised capacity releases the rest at once.
    const put = await h.areas.putCrew('hill-crew', 'Hill crew', 'hill', { works: 5 });
    expect(put.releasedQueuedTasks).toBe(1);
    expect((await find(c.id)).status).toBe('assigned');
  });

  it("gives work outside every jurisdiction, or in one without a crew, to the region's default crew once it exists", async () => {
    const outside = await guardrailTask(waterSide, OUTSIDE);
    const noCrew = await guardrailTask(waterSide, [[1.62, 42.5], [1.621, 42.5007]]);
    expect([outside.crewId, noCrew.crewId]).toEqual([null, null]);
    const put = await h.areas.putCrew('region-crew', 'Region crew', 'hill');
    expect(put.assignedWaitingTasks).toBe(2);
    expect([(await find(outside.id)).crewId, (await find(noCrew.id)).crewId]).toEqual(['region-crew', 'region-crew']);
    // Routing again (a new task in pass, which has no crew) goes to the default crew too.
    const later = await guardrailTask(waterSide, [[1.63, 42.5], [1.631, 42.5007]]);
    expect([later.crewId, later.jurisdictionId]).toEqual(['region-crew', 'pass']);
    const detail = await find(later.id);
    expect(detail.history.find((x) => x.change === 'assigned')?.reason).toBe("automatic: the region's default crew (pass has no crew)");
  });

  it('keeps the due time of work that waited for a crew: it was late on the clock, not queued, and stays late', async () => {
    const waiting = await guardrailTask(waterSide, [[1.605, 42.5], [1.606, 42.5007]]);
    expect([waiting.crewId, waiting.jurisdictionId]).toEqual(['region-crew', 'pass']);
    // As a task opened while no crew (and no default crew) could take it: created, no crew, on the clock.
    await h.ds.query(`UPDATE task SET crew_id = NULL, status = 'created' WHERE id = $1`, [waiting.id]);
    const dueAt = (await find(waiting.id)).dueAt;
    h.clock.advance(4 * DAY);
    expect((await find(waiting.id)).overdue).toBe(true);
    await h.commands.execute(waiting.id, principals.dispatcher, { action: 'assign', crewId: 'hill-crew' });
    const assigned = await find(waiting.id);
    expect([assigned.status, assigned.queued, assigned.dueAt, assigned.overdue]).toEqual(['assigned', false, dueAt, true]);
  });
});
