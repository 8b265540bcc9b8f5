import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Harness, box, openHarness, principals, profileEvent } from '../testing/harness';
import { SYSTEM_ACTOR, TaskRecord } from './task.model';

jest.setTimeout(60_000);

/** Three 100 m pieces of a way along a river on their right, from `lon` eastwards. */
const pieces = (lon: number): [number, number][][] => [0, 1, 2].map((i) => [[lon + i * 0.0012, 42.505], [lon + (i + 1) * 0.0012, 42.505]]);
const river = { waterDistanceM: 6, waterSide: 'right' as const, guardrail: { left: 0, right: 0 } };

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Two townships side by side, each with its crew, and a way of three pieces along a river in each. */
async function openTownships(label: string, env: Record<string, string> = {}): Promise<Harness> {
  const h = await openHarness(label, env);
  await h.areas.put('locks-west', 'West township', box(1.5, 42.49, 1.53, 42.52));
  await h.areas.put('locks-east', 'East township', box(1.53, 42.49, 1.56, 42.52));
  await h.areas.putCrew('locks-west-crew', 'West crew', 'locks-west');
  await h.areas.putCrew('locks-east-crew', 'East crew', 'locks-east');
  for (const [way, lon] of [['w10', 1.505], ['w20', 1.535]] as const) {
    for (const [i, line] of pieces(lon).entries()) await h.intake.onSegmentProfile(profileEvent(`${way}-${i}`, line, river));
  }
  return h;
}

/**
 * Runs `work` while another transaction, as a run routing in the east would, holds that township's
 * routing lock; once `work` waits for it, returns how many tasks `work` had written by then (its
 * backend's row-exclusive lock on the task table), then lets it go on and returns its result too.
 */
async function whileEastIsRouted<T>(h: Harness, work: () => Promise<T>): Promise<{ writtenWhileWaiting: number; result: T }> {
  const run = h.ds.createQueryRunner();
  await run.connect();
  await run.startTransaction();
  let working: Promise<T> | undefined;
  let writtenWhileWaiting: number;
  try {
    await run.query(`SELECT pg_advisory_xact_lock(hashtext('task.assign:' || $1))`, ['locks-east']);
    const [{ pid: runPid }] = await run.query(`SELECT pg_backend_pid() AS pid`);
    working = work();
    working.catch(() => undefined);
    const waiting = await until('the work to wait for the east\'s routing lock', async () => {
      const rows: { pid: number }[] = await h.ds.query(
        `SELECT w.pid FROM pg_locks w JOIN pg_locks held ON held.locktype = 'advisory' AND held.granted
            AND (held.classid, held.objid, held.objsubid) = (w.classid, w.objid, w.objsubid)
          WHERE w.locktype = 'advisory' AND NOT w.granted AND held.pid = $1`,
        [runPid],
      );
      return rows[0]?.pid;
    });
    const [{ n }]: { n: number }[] = await h.ds.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE pid = $1 AND relation = 'task'::regclass AND mode = 'RowExclusiveLock'`,
      [waiting],
    );
    writtenWhileWaiting = n;
  } finally {
    await run.commitTransaction();
    await run.release();
  }
  return { writtenWhileWaiting, result: await working! };
}

/**
 * Writers that open several works tasks in a transaction and route each (the stretch planner, a
 * programme's approval). A run of the intake takes the routing locks of all its jurisdictions at
 * once, in key order; such a writer that took a jurisdiction's lock only when routing the task it had
 * just inserted, and then waited for the next one's, closed circles with those runs, which the
 * database broke by aborting one of the two. Now each takes its routing locks before it writes a
 * task: while it waits for one, it has written none and holds none out of order.
 */
describe('opening several tasks in a transaction, and the routing locks', () => {
  let planner: Harness;
  let approver: Harness;

  beforeAll(async () => {
    planner = await openTownships('plannerlocks');
    // For a programme: no survey opened by the rule; a survey found no guardrail on either way.
    approver = await openTownships('programmelocks', { MANDATORY_PROTECTION_ENABLED: 'false' });
    for (const way of ['w10', 'w20']) {
      for (let i = 0; i < 3; i++) {
        await approver.ds.query(`INSERT INTO roadside_inventory (segment_id, side, status, source, observed_at, recorded_by) VALUES ($1, 'right', 'absent', 'crew_survey', now(), 'test')`, [`${way}-${i}`]);
      }
    }
  });
  afterAll(async () => {
    await planner?.close();
    await approver?.close();
  });

  it('the stretch planner takes every routing lock of a round before it writes a task', async () => {
    const { writtenWhileWaiting, result: opened } = await whileEastIsRouted(planner, () => planner.roadside.plan());
    expect(writtenWhileWaiting).toBe(0);
    // The run done, the planner opens both stretches, each routed to its township's crew.
    expect(opened).toHaveLength(2);
    const tasks = await planner.queries.list({ limit: 50, offset: 0 }, principals.dispatcher);
    expect(tasks.map((t) => [t.segmentId, t.countermeasure, t.status, t.crewId]).sort()).toEqual([
      ['w10-0', 'roadside_survey', 'assigned', 'locks-west-crew'],
      ['w20-0', 'roadside_survey', 'assigned', 'locks-east-crew'],
    ]);
  });

  it('the stretch planner takes no lock for a stretch none of whose members may anchor its task', async () => {
    // A way in the east whose three pieces each have an open survey already (not a stretch's): its
    // survey need stays open, and each round of the planner finds no member to anchor its task on.
    const now = planner.clock.now();
    for (const [i, line] of pieces(1.545).entries()) {
      await planner.intake.onSegmentProfile(profileEvent(`w30-${i}`, line, river));
      const task: TaskRecord = {
        id: randomUUID(), segmentId: `w30-${i}`, countermeasure: 'roadside_survey', side: null, status: 'created', priority: 'p3',
        reason: 'a sight obstruction to survey', rule: 'severe_hazard', hazardIds: [], sourceEventId: randomUUID(), correlationId: 'test', riskLevel: null,
        riskScore: null, jurisdictionId: null, crewId: null, version: 1, fixFailed: false, duplicateOf: null, statusReason: null, reopenCount: 0,
        dueAt: now, acceptedAt: null, submittedAt: null, verifiedAt: null, closedAt: null, escalatedAt: null, createdAt: now, updatedAt: now,
      };
      await planner.tx.run((scope) => planner.ledger.create(task, { actor: SYSTEM_ACTOR, correlationId: 'test' }, scope));
    }
    const run = planner.ds.createQueryRunner();
    await run.connect();
    await run.startTransaction();
    try {
      await run.query(`SELECT pg_advisory_xact_lock(hashtext('task.assign:' || $1))`, ['locks-east']);
      // The planner's round ends while a run holds the east's routing lock: it did not wait for it.
      let timer: NodeJS.Timeout | undefined;
      const round = await Promise.race([planner.roadside.plan(), new Promise<'waited'>((resolve) => (timer = setTimeout(() => resolve('waited'), 10_000)))]);
      clearTimeout(timer);
      expect(round).toEqual([]);
    } finally {
      await run.commitTransaction();
      await run.release();
    }
  });

  it("a dispatcher's reopening of a verified fix takes its routing locks before the task is open again", async () => {
    const now = planner.clock.now();
    const fix: TaskRecord = {
      id: randomUUID(), segmentId: 'w20-2', countermeasure: 'guardrail', side: 'right', status: 'verified', priority: 'p2',
      reason: 'guardrail set', rule: 'severe_hazard', hazardIds: [], sourceEventId: randomUUID(), correlationId: 'test', riskLevel: null,
      riskScore: null, jurisdictionId: 'locks-east', crewId: 'locks-east-crew', version: 1, fixFailed: false, duplicateOf: null, statusReason: null, reopenCount: 0,
      dueAt: now, acceptedAt: now, submittedAt: now, verifiedAt: now, closedAt: now, escalatedAt: null, createdAt: now, updatedAt: now,
    };
    await planner.tx.run((scope) => planner.ledger.create(fix, { actor: SYSTEM_ACTOR, correlationId: 'test' }, scope));
    const { writtenWhileWaiting, result: reopened } = await whileEastIsRouted(planner, () =>
      planner.commands.execute(fix.id, principals.dispatcher, { action: 'reopen', reason: 'the guardrail is down again', fixFailed: true }),
    );
    expect(writtenWhileWaiting).toBe(0);
    expect([reopened.status, reopened.crewId, reopened.fixFailed]).toEqual(['assigned', 'locks-east-crew', true]);
  });

  it("a programme's approval takes every routing lock of its items before it writes a task", async () => {
    // A guardrail costs 450,000 a km: 135,000 a 0.3 km stretch; 300,000 buys both.
    const draft = await approver.programmes.draft({ budget: 300_000, year: 2027 }, principals.dispatcher);
    const { writtenWhileWaiting, result: approval } = await whileEastIsRouted(approver, () => approver.programmes.approve(draft.id, principals.dispatcher));
    expect(writtenWhileWaiting).toBe(0);
    expect(approval.tasks.map((t) => [t.status, t.crewId]).sort()).toEqual([
      ['assigned', 'locks-east-crew'],
      ['assigned', 'locks-west-crew'],
    ]);
  });
});
