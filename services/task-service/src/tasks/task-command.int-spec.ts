import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AppError } from '@roadloop/core';
import { DAY, HOUR, Harness, box, hazardEvent, openHarness, photo, principals, profileEvent } from '../testing/harness';
import { TaskCommandService } from './task-command.service';

jest.setTimeout(60_000);

const ROAD: [number, number][] = [[1.52, 42.505], [1.521, 42.5057]];
const ON_SITE = { lon: 1.5205, lat: 42.50535, accuracyM: 6 };
const FAR_AWAY = { lon: 1.53, lat: 42.51, accuracyM: 6 }; // about 1 km away

async function failure(work: Promise<unknown>): Promise<{ kind: string; code: string; message: string }> {
  try {
    await work;
  } catch (err) {
    if (err instanceof AppError) return { kind: err.kind, code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected the command to be refused');
}

describe(TaskCommandService.name, () => {
  let h: Harness;
  let n = 0;

  beforeAll(async () => {
    h = await openHarness('commands');
    await h.areas.put('valley', 'Valley township', box(1.5, 42.49, 1.56, 42.52));
    await h.areas.putCrew('crew-1', 'Valley crew 1', 'valley');
    await h.areas.putCrew('crew-2', 'Valley crew 2', 'valley');
  });
  afterAll(async () => h.close());

  /** A fresh assigned task on its own segment. */
  async function newTask() {
    const segmentId = `c-${n++}`;
    await h.intake.onSegmentProfile(profileEvent(segmentId, ROAD));
    const hazard = hazardEvent(segmentId, { category: 'sight_obstruction', severity: 'high' });
    await h.intake.onReportMatched(hazard);
    const [task] = await h.queries.list({ segmentId, limit: 1, offset: 0 }, principals.dispatcher);
    return { task, crew: principals.crew(task.crewId!), hazardId: hazard.payload.hazardId };
  }

  const evidence = (position = ON_SITE, photos = [photo]) => ({ photos, position, capturedAt: h.clock.now().toISOString(), notes: 'trimmed the hedge' });

  it('runs the whole lifecycle with a rejection, flagging evidence from the wrong place', async () => {
    const { task, crew, hazardId } = await newTask();
    await h.commands.execute(task.id, crew, { action: 'accept' });
    h.clock.advance(HOUR);
    await h.commands.execute(task.id, crew, { action: 'start' });
    await h.commands.execute(task.id, crew, { action: 'submit', evidence: evidence(FAR_AWAY) });
    let detail = await h.queries.detail(task.id, principals.inspector);
    expect(detail.status).toBe('submitted');
    expect(detail.checks.map((c) => [c.check, c.passed])).toEqual([['photos', true], ['position', false], ['timing', true], ['exif', true]]);
    expect(detail.checks[1].detail).toMatch(/^\d+ m from the segment \(limit 100 m/);

    await h.commands.execute(task.id, principals.inspector, { action: 'reject', reason: 'photo is not of this bend' });
    await h.commands.execute(task.id, crew, { action: 'start' });
    await h.commands.execute(task.id, crew, { action: 'submit', evidence: evidence() });
    detail = await h.queries.detail(task.id, principals.inspector);
    expect(detail.checks.every((c) => c.passed)).toBe(true);
    expect(detail.evidence).toHaveLength(2);

    const verified = await h.commands.execute(task.id, principals.inspector, { action: 'verify', notes: 'sight line clear' });
    expect(verified).toMatchObject({ status: 'verified', verifiedAt: h.clock.now(), closedAt: h.clock.now() });
    detail = await h.queries.detail(task.id, principals.analyst);
    expect(detail.history.map((e) => e.change)).toEqual([
      'created', 'assigned', 'accepted', 'started', 'submitted', 'rejected', 'started', 'submitted', 'verified',
    ]);
    expect(detail.history.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(detail.history[5]).toMatchObject({ fromStatus: 'submitted', toStatus: 'rejected', reason: 'photo is not of this bend', actor: { role: 'inspector', id: 'ivan' } });
    const last = (await h.eventsOf(task.id)).at(-1)!;
    expect(last.payload).toMatchObject({ change: 'verified', status: 'verified', hazardIds: [hazardId], countermeasure: 'vegetation_clearing', version: 9 });
    const [resolved] = await h.ds.query(`SELECT resolved_by FROM segment_hazard WHERE hazard_id = $1`, [hazardId]);
    expect(resolved.resolved_by).toBe(task.id);
  });

  it('flags a submission without photos and with evidence older than the acceptance, but accepts it', async () => {
    const { task, crew } = await newTask();
    await h.commands.execute(task.id, crew, { action: 'accept' });
    await h.commands.execute(task.id, crew, { action: 'start' });
    const old = { ...evidence(ON_SITE, []), capturedAt: new Date(h.clock.now().getTime() - DAY).toISOString() };
    await h.commands.execute(task.id, crew, { action: 'submit', evidence: old });
    const { checks, status } = await h.queries.detail(task.id, principals.inspector);
    expect(status).toBe('submitted');
    expect(checks.filter((c) => !c.passed).map((c) => c.check)).toEqual(['photos', 'timing']);
  });

  it.each([
    ['verify an assigned task', 'inspector', { action: 'verify' }],
    ['start before accepting', 'crew', { action: 'start' }],
    ['submit before starting', 'crew', { action: 'submit' }],
    ['reopen an open task', 'dispatcher', { action: 'reopen', reason: 'x' }],
  ] as const)('refuses to %s with 409 ILLEGAL_TRANSITION, changing nothing', async (_, who, command) => {
    const { task, crew } = await newTask();
    const principal = who === 'crew' ? crew : principals[who];
    const full = command.action === 'submit' ? { action: 'submit' as const, evidence: evidence() } : command;
    const before = await h.eventsOf(task.id);
    expect(await failure(h.commands.execute(task.id, principal, full as never))).toMatchObject({ kind: 'conflict', code: 'ILLEGAL_TRANSITION' });
    expect(await h.eventsOf(task.id)).toEqual(before);
    expect((await h.tasks.find(task.id))!.version).toBe(task.version);
  });

  it('checks expectedVersion (409 VERSION_CONFLICT) and applies a matching one', async () => {
    const { task, crew } = await newTask();
    expect(await failure(h.commands.execute(task.id, crew, { action: 'accept' }, { expectedVersion: task.version - 1 }))).toMatchObject({
      kind: 'conflict',
      code: 'VERSION_CONFLICT',
    });
    expect(await h.commands.execute(task.id, crew, { action: 'accept' }, { expectedVersion: task.version })).toMatchObject({ version: task.version + 1 });
  });

  it('serializes concurrent commands on one task: exactly one of two racing accepts wins', async () => {
    const { task, crew } = await newTask();
    const results = await Promise.allSettled([
      h.commands.execute(task.id, crew, { action: 'accept' }),
      h.commands.execute(task.id, crew, { action: 'accept' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
  });

  it('lets crews act on and see only their own tasks (403), and only the right roles act', async () => {
    const { task, crew } = await newTask();
    const other = principals.crew(crew.crewId === 'crew-1' ? 'crew-2' : 'crew-1');
    expect(await failure(h.commands.execute(task.id, other, { action: 'accept' }))).toMatchObject({ kind: 'forbidden', code: 'NOT_YOUR_TASK' });
    expect(await failure(h.queries.detail(task.id, other))).toMatchObject({ kind: 'forbidden' });
    expect(await failure(h.queries.list({ crewId: crew.crewId!, limit: 10, offset: 0 }, other))).toMatchObject({ kind: 'forbidden' });
    expect((await h.queries.list({ limit: 500, offset: 0 }, other)).every((t) => t.crewId === other.crewId)).toBe(true);
    expect(await failure(h.commands.execute(task.id, principals.analyst, { action: 'cancel', reason: 'x' }))).toMatchObject({ kind: 'forbidden' });
    expect(await failure(h.commands.execute(task.id, crew, { action: 'verify' }))).toMatchObject({ kind: 'forbidden' });
    expect(await failure(h.commands.execute('00000000-0000-4000-8000-000000000000', crew, { action: 'accept' }))).toMatchObject({ kind: 'not_found' });
  });

  it('reassigns to another crew (the new crew must accept) and refuses an unknown crew', async () => {
    const { task, crew } = await newTask();
    await h.commands.execute(task.id, crew, { action: 'accept' });
    const target = crew.crewId === 'crew-1' ? 'crew-2' : 'crew-1';
    const moved = await h.commands.execute(task.id, principals.dispatcher, { action: 'assign', crewId: target, reason: 'crew 1 is on the pass road' });
    expect(moved).toMatchObject({ status: 'assigned', crewId: target, acceptedAt: null });
    expect((await h.eventsOf(task.id)).at(-1)!.payload).toMatchObject({ change: 'reassigned', crewId: target, previousStatus: 'accepted' });
    expect(await failure(h.commands.execute(task.id, principals.dispatcher, { action: 'assign', crewId: 'nobody' }))).toMatchObject({ kind: 'invalid', code: 'UNKNOWN_CREW' });
  });

  it('lets a crew declare unable to fix, and closes duplicates into the open task with their hazards', async () => {
    const a = await newTask();
    expect(await h.commands.execute(a.task.id, a.crew, { action: 'unable_to_fix', reason: 'needs a crane' })).toMatchObject({ status: 'unable_to_fix', statusReason: 'needs a crane' });
    const b = await newTask();
    const c = await newTask();
    const dup = await h.commands.execute(c.task.id, principals.dispatcher, { action: 'mark_duplicate', ofTaskId: b.task.id });
    expect(dup).toMatchObject({ status: 'duplicate', duplicateOf: b.task.id });
    expect((await h.tasks.find(b.task.id))!.hazardIds).toEqual([b.hazardId, c.hazardId]);
    expect(await failure(h.commands.execute(b.task.id, principals.dispatcher, { action: 'mark_duplicate', ofTaskId: c.task.id }))).toMatchObject({ code: 'DUPLICATE_TARGET_CLOSED' });
  });

  it('does not deadlock when two tasks are marked as duplicates of each other at once', async () => {
    const a = await newTask();
    const b = await newTask();
    const results = await Promise.allSettled([
      h.commands.execute(a.task.id, principals.dispatcher, { action: 'mark_duplicate', ofTaskId: b.task.id }),
      h.commands.execute(b.task.id, principals.dispatcher, { action: 'mark_duplicate', ofTaskId: a.task.id }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ kind: 'conflict' });
  });

  it('reopens a verified task by hand, refusing while another open task covers the same fix', async () => {
    const { task, crew } = await newTask();
    for (const action of ['accept', 'start'] as const) await h.commands.execute(task.id, crew, { action });
    await h.commands.execute(task.id, crew, { action: 'submit', evidence: evidence() });
    await h.commands.execute(task.id, principals.inspector, { action: 'verify' });
    const reopened = await h.commands.execute(task.id, principals.dispatcher, { action: 'reopen', reason: 'hedge grew back', fixFailed: false });
    expect(reopened).toMatchObject({ status: 'assigned', fixFailed: false, reopenCount: 1, priority: 'p2' });
    await h.commands.execute(task.id, principals.dispatcher, { action: 'cancel', reason: 'merged' });
  });

  describe('escalation and jurisdiction status', () => {
    it('escalates each overdue task once, and colours the jurisdiction', async () => {
      const area = await openHarness('escalation');
      try {
        await area.areas.put('hill', 'Hill village', box(1.5, 42.49, 1.56, 42.52));
        await area.areas.putCrew('hill-crew', 'Hill crew', 'hill');
        await area.intake.onSegmentProfile(profileEvent('h-1', ROAD));
        await area.intake.onSegmentProfile(profileEvent('h-2', ROAD));
        await area.intake.onReportMatched(hazardEvent('h-1', { category: 'debris', severity: 'high' })); // p2, 72 h
        await area.intake.onReportMatched(hazardEvent('h-2', { category: 'rockfall', severity: 'critical' })); // p1, 24 h
        expect((await area.areas.status('hill')).status).toBe('yellow'); // p1 due within 24 h
        area.clock.advance(25 * HOUR);
        expect(await area.areas.status('hill')).toMatchObject({ status: 'red', overdue: 1, overdueP1: 1, open: 2 });
        const escalated = await area.escalation.escalateOverdue();
        expect(escalated).toHaveLength(1);
        expect(await area.escalation.escalateOverdue()).toEqual([]);
        const [p1] = await area.queries.list({ overdue: true, limit: 10, offset: 0 }, principals.dispatcher);
        expect(p1).toMatchObject({ priority: 'p1', overdue: true, escalated: true, status: 'assigned' });
        expect((await area.eventsOf(p1.id)).at(-1)!.payload).toMatchObject({ change: 'escalated', status: 'assigned', previousStatus: 'assigned' });
        expect((await area.areas.list()).map((j) => [j.id, j.status])).toEqual([['hill', 'red']]);
      } finally {
        await area.close();
      }
    });
  });
});
