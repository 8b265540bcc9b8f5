import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { HazardCategory, HazardSeverity, ReportMatchedEvent, SegmentRiskChangedV2Event, countermeasureFor } from '@roadloop/contracts';
import { DAY, HOUR, Harness, accidentEvent, box, hazardEvent, openHarness, photo, principals, profileEvent, riskEvent } from '../testing/harness';
import { TaskIntakeOutcome, TaskIntakeService } from './task-intake.service';
import { DeferredTaskRefused } from './task-ledger.service';
import { SYSTEM_ACTOR, TaskRecord } from './task.model';

jest.setTimeout(180_000);

const WEST = box(1.5, 42.49, 1.53, 42.52);
const EAST = box(1.53, 42.49, 1.6, 42.55);
const ROAD_WEST: [number, number][] = [[1.52, 42.505], [1.521, 42.5057]];
const ROAD_EAST: [number, number][] = [[1.58, 42.534], [1.5812, 42.5347]];
const NORTH = box(1.5, 42.56, 1.6, 42.6);
const ROAD_NORTH: [number, number][] = [[1.55, 42.58], [1.551, 42.5807]];
const SOUTH = box(1.5, 42.4, 1.6, 42.45);
const ROAD_SOUTH: [number, number][] = [[1.55, 42.42], [1.551, 42.4207]];
/** Outside every area. */
const ROAD_OUT: [number, number][] = [[1.55, 42.7], [1.551, 42.7007]];

type Row = Record<string, unknown>;

/**
 * A run of one partition's events must leave what the same events handled one at a time leave: the
 * same tasks, hazards, audit trail and outbox (in order), modulo generated ids. Two schemas get the
 * same history; the last batch goes one at a time into `one` and as a run into `run`.
 */
describe(`${TaskIntakeService.name} runs`, () => {
  let one: Harness;
  let run: Harness;

  beforeAll(async () => {
    [one, run] = await Promise.all([openHarness('runone'), openHarness('runrun')]);
    for (const h of [one, run]) {
      await h.areas.put('west', 'West township', WEST);
      await h.areas.put('east', 'East township', EAST);
      await h.areas.putCrew('west-b', 'West crew B', 'west');
      await h.areas.putCrew('west-a', 'West crew A', 'west');
      await h.areas.putCrew('east-1', 'East crew', 'east');
    }
  });
  afterAll(async () => Promise.all([one?.close(), run?.close()]));

  /** Everything the task service keeps about the segments starting with `prefix`, task ids replaced by what identifies them in both schemas. */
  async function snapshot(h: Harness, prefix: string) {
    const like = `${prefix}-%`;
    const tasks: Row[] = await h.ds.query(`SELECT * FROM task WHERE segment_id LIKE $1 ORDER BY segment_id, countermeasure, source_event_id`, [like]);
    const labels = new Map(tasks.map((t) => [String(t.id), `${t.segment_id}/${t.countermeasure}/${t.source_event_id}`]));
    const label = (id: unknown) => (id === null || id === undefined ? id : (labels.get(String(id)) ?? `unknown ${id}`));
    const history: Row[] = await h.ds.query(
      `SELECT hi.task_id, hi.version, hi.change, hi.from_status, hi.to_status, hi.actor_role, hi.actor_id, hi.reason, hi.details, hi.occurred_at
         FROM task_history hi JOIN task t ON t.id = hi.task_id WHERE t.segment_id LIKE $1 ORDER BY hi.id`,
      [like],
    );
    const outbox: Row[] = await h.ds.query(`SELECT topic, message_key, value FROM outbox WHERE message_key LIKE $1 ORDER BY seq`, [like]);
    const hazards: Row[] = await h.ds.query(`SELECT * FROM segment_hazard WHERE segment_id LIKE $1 ORDER BY hazard_id`, [like]);
    const accidents: Row[] = await h.ds.query(`SELECT * FROM segment_accident WHERE segment_id LIKE $1 ORDER BY accident_id`, [like]);
    const risks: Row[] = await h.ds.query(`SELECT segment_id, revision, level, event_id FROM segment_risk_state WHERE segment_id LIKE $1 ORDER BY segment_id`, [like]);
    return {
      tasks: tasks.map((t): Row => ({ ...t, id: label(t.id), duplicate_of: label(t.duplicate_of) })),
      history: history.map((r): Row => ({ ...r, task_id: label(r.task_id) })),
      outbox: outbox.map((r): Row & { value: Row } => {
        const { eventId: _eventId, correlationId, payload, ...envelope } = r.value as { eventId: string; correlationId: string; payload: Row };
        // Commands (the preparation's) get correlation ids of their own; the intake's follow the events'.
        const system = (payload.actor as Row | undefined)?.role === 'system';
        return { ...r, value: { ...envelope, correlationId: system ? correlationId : 'command', payload: 'taskId' in payload ? { ...payload, taskId: label(payload.taskId) } : payload } };
      }),
      hazards: hazards.map((r): Row => ({ ...r, resolved_by: label(r.resolved_by) })),
      accidents,
      risks,
      labels,
    };
  }

  function sameOutcomes(a: TaskIntakeOutcome[], la: Map<string, string>, b: TaskIntakeOutcome[], lb: Map<string, string>) {
    const norm = (o: TaskIntakeOutcome, l: Map<string, string>) =>
      o.kind === 'created' || o.kind === 'linked' ? { ...o, taskId: l.get(o.taskId) } : o.kind === 'reopened' ? { ...o, taskIds: o.taskIds.map((id) => l.get(id)) } : o;
    expect(b.map((o) => norm(o, lb))).toEqual(a.map((o) => norm(o, la)));
  }

  /** A task taken through to verification (the same commands in both schemas). */
  async function verify(h: Harness, segmentId: string, at = { lon: 1.5806, lat: 42.5343 }) {
    const [task] = await h.queries.list({ segmentId, limit: 50, offset: 0 }, principals.dispatcher);
    const crew = principals.crew(task.crewId!);
    await h.commands.execute(task.id, crew, { action: 'accept' });
    await h.commands.execute(task.id, crew, { action: 'start' });
    await h.commands.execute(task.id, crew, {
      action: 'submit',
      evidence: { photos: [photo], position: { ...at, accuracyM: 5 }, capturedAt: h.clock.now().toISOString() },
    });
    await h.commands.execute(task.id, principals.inspector, { action: 'verify' });
  }

  /** Runs `work` with the statements of every transaction `h` runs meanwhile recorded, in order. */
  async function recordingStatements<T>(h: Harness, work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    const statements: string[] = [];
    const transaction = h.ds.transaction.bind(h.ds) as (work: (m: { query: (...args: unknown[]) => Promise<unknown> }) => Promise<unknown>) => Promise<unknown>;
    const spy = jest.spyOn(h.ds, 'transaction').mockImplementation(((inTx: (m: unknown) => Promise<unknown>) =>
      transaction(async (m) => {
        const query = m.query.bind(m);
        m.query = (...args: unknown[]) => {
          statements.push(String(args[0]));
          return query(...args);
        };
        return inTx(m);
      })) as never);
    try {
      return { result: await work(), statements };
    } finally {
      spy.mockRestore();
    }
  }

  let round = 0;

  /**
   * Segments a (an open rockfall task), b (a verified guardrail fix), c (nothing yet) and d (no
   * profile: its tasks wait unassigned), prepared alike in both schemas.
   */
  async function prepare() {
    const prefix = `rr${round++}`;
    const seg = { a: `${prefix}-a`, b: `${prefix}-b`, c: `${prefix}-c`, d: `${prefix}-d` };
    const setup = [hazardEvent(seg.a, { category: 'rockfall' }), hazardEvent(seg.b, { category: 'missing_guardrail' })];
    for (const h of [one, run]) {
      await h.intake.onSegmentProfile(profileEvent(seg.a, ROAD_EAST));
      await h.intake.onSegmentProfile(profileEvent(seg.b, ROAD_EAST));
      await h.intake.onSegmentProfile(profileEvent(seg.c, ROAD_WEST));
      for (const e of setup) await h.intake.onReportMatched(e);
      await verify(h, seg.b);
    }
    expect(one.clock.now()).toEqual(run.clock.now());
    return { prefix, seg, setup, verifiedAt: one.clock.now().getTime() };
  }

  async function compare(prefix: string, a: TaskIntakeOutcome[], b: TaskIntakeOutcome[]) {
    const [sa, sb] = [await snapshot(one, prefix), await snapshot(run, prefix)];
    sameOutcomes(a, sa.labels, b, sb.labels);
    const { labels: _la, ...ra } = sa;
    const { labels: _lb, ...rb } = sb;
    expect(rb).toEqual(ra);
    return ra;
  }

  const SEGMENTS = ['a', 'b', 'c', 'd'] as const;
  const CATEGORIES: HazardCategory[] = ['rockfall', 'landslide', 'missing_guardrail', 'damaged_guardrail', 'pothole', 'flooded_road'];
  const SEVERITIES: HazardSeverity[] = ['low', 'medium', 'high', 'critical'];
  /** When a report happened, relative to the verification of b's fix: before it, in the reopen window, well after. */
  const WHEN = { before: -HOUR, window: 2 * DAY, after: 100 * DAY } as const;

  const step = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('hazard' as const), seg: fc.constantFrom(...SEGMENTS), category: fc.constantFrom(...CATEGORIES), severity: fc.constantFrom(...SEVERITIES), when: fc.constantFrom('before', 'window', 'after') as fc.Arbitrary<keyof typeof WHEN> }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('again' as const), index: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('accident' as const), seg: fc.constantFrom(...SEGMENTS), deaths: fc.constantFrom(0, 1), when: fc.constantFrom('window', 'after') as fc.Arbitrary<'window' | 'after'> }) },
  );

  it('property: a run of reports leaves what the same reports one at a time leave', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const { prefix, seg, setup, verifiedAt } = await prepare();
        const events: ReportMatchedEvent[] = [];
        for (const s of steps) {
          if (s.kind === 'hazard') {
            events.push(hazardEvent(seg[s.seg], { category: s.category, severity: s.severity, reportedAt: new Date(verifiedAt + WHEN[s.when]).toISOString() }));
          } else if (s.kind === 'accident') {
            events.push(accidentEvent(seg[s.seg], { deaths: s.deaths, occurredAt: new Date(verifiedAt + WHEN[s.when]).toISOString() }));
          } else {
            // A redelivery: of an earlier event of this run, or of one handled before it.
            const earlier = [...setup, ...events];
            events.push(earlier[s.index % earlier.length]);
          }
        }
        const a: TaskIntakeOutcome[] = [];
        for (const e of events) a.push(await one.intake.onReportMatched(e));
        const b = await run.intake.onReportsMatched(events);
        await compare(prefix, a, b);
      }),
      {
        numRuns: 25,
        examples: [
          // A late hazard linked to the verified fix, then a crash that reopens it: the reopening lists that hazard.
          [[{ kind: 'hazard', seg: 'b', category: 'missing_guardrail', severity: 'medium', when: 'before' }, { kind: 'accident', seg: 'b', deaths: 0, when: 'window' }]],
          // The same, then a hazard that reopens it.
          [[{ kind: 'hazard', seg: 'b', category: 'damaged_guardrail', severity: 'low', when: 'before' }, { kind: 'hazard', seg: 'b', category: 'missing_guardrail', severity: 'high', when: 'window' }]],
          // A task opened in the run takes the later hazards of its countermeasure.
          [[{ kind: 'hazard', seg: 'c', category: 'pothole', severity: 'low', when: 'after' }, { kind: 'hazard', seg: 'c', category: 'pothole', severity: 'high', when: 'after' }, { kind: 'hazard', seg: 'c', category: 'pothole', severity: 'medium', when: 'before' }, { kind: 'again', index: 3 }]],
          // A fatal crash opens an investigation and reopens the fix; a hazard after it is linked to the reopened task.
          [[{ kind: 'accident', seg: 'b', deaths: 1, when: 'window' }, { kind: 'hazard', seg: 'b', category: 'missing_guardrail', severity: 'low', when: 'after' }]],
        ],
      },
    );
  });

  it('lists in a task opened by a run only the hazards recorded before the event that opened it', async () => {
    const { prefix, seg } = await prepare();
    const early = hazardEvent(seg.c, { category: 'pothole', severity: 'low', reportedAt: '2026-11-20T07:00:00Z' });
    const severe = hazardEvent(seg.c, { category: 'pothole', severity: 'high', reportedAt: '2026-11-27T07:00:00Z' });
    // Reported before the severe one, delivered after it: one at a time it is linked after the task was created.
    const late = hazardEvent(seg.c, { category: 'pothole', severity: 'medium', reportedAt: '2026-11-21T07:00:00Z' });
    const events = [early, severe, late];
    const a: TaskIntakeOutcome[] = [];
    for (const e of events) a.push(await one.intake.onReportMatched(e));
    const b = await run.intake.onReportsMatched(events);
    const state = await compare(prefix, a, b);
    const created = state.outbox.find((m) => (m.value.payload as Row).change === 'created' && m.message_key === seg.c)!;
    expect((created.value.payload as Row).hazardIds).toEqual([severe.payload.hazardId, early.payload.hazardId]);
    expect(state.tasks.find((t) => t.segment_id === seg.c)!.hazard_ids).toEqual([severe.payload.hazardId, early.payload.hazardId, late.payload.hazardId]);
  });

  it('property: a run of risk changes leaves what the same changes one at a time leave', async () => {
    const change = fc.record({
      seg: fc.constantFrom(...SEGMENTS),
      revision: fc.integer({ min: 1, max: 6 }),
      level: fc.constantFrom('medium', 'high', 'very_high'),
      previousLevel: fc.constantFrom('medium', 'high'),
      category: fc.constantFrom(...CATEGORIES),
      computed: fc.constantFrom('before', 'after') as fc.Arbitrary<'before' | 'after'>,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ weight: 4, arbitrary: change }, { weight: 1, arbitrary: fc.nat() }), { minLength: 1, maxLength: 20 }), async (steps) => {
        const { prefix, seg, verifiedAt } = await prepare();
        const events: SegmentRiskChangedV2Event[] = [];
        for (const s of steps) {
          if (typeof s === 'number') {
            if (events.length) events.push(events[s % events.length]);
            continue;
          }
          const e = riskEvent(seg[s.seg], {
            revision: s.revision,
            level: s.level,
            previousLevel: s.previousLevel,
            factors: [{ factor: 'hazard', value: 2.2, hazardCategory: s.category }],
          });
          events.push({ ...e, occurredAt: new Date(verifiedAt + (s.computed === 'before' ? -HOUR : HOUR)).toISOString() });
        }
        const a: TaskIntakeOutcome[] = [];
        for (const e of events) a.push(await one.intake.onRiskChanged(e));
        const b = await run.intake.onRisksChanged(events);
        await compare(prefix, a, b);
      }),
      {
        numRuns: 20,
        examples: [
          // Two rises of one segment in the run: the second finds the task the first opened.
          [[
            { seg: 'c', revision: 1, level: 'very_high', previousLevel: 'high', category: 'pothole', computed: 'after' },
            { seg: 'c', revision: 2, level: 'very_high', previousLevel: 'medium', category: 'pothole', computed: 'after' },
          ]],
          // A rise computed before b's guardrail fix was verified, then one after it.
          [[
            { seg: 'b', revision: 1, level: 'very_high', previousLevel: 'high', category: 'missing_guardrail', computed: 'before' },
            { seg: 'b', revision: 2, level: 'very_high', previousLevel: 'high', category: 'damaged_guardrail', computed: 'after' },
          ]],
        ],
      },
    );
  });

  it('commits two concurrent runs that touch the same segments in opposite orders', async () => {
    const segments = Array.from({ length: 24 }, (_, i) => `dl${round}-${String(i).padStart(2, '0')}`);
    round++;
    for (const s of segments) await run.intake.onReportMatched(hazardEvent(s, { category: 'pothole', severity: 'critical' }));
    const forward = segments.map((s) => hazardEvent(s, { category: 'pothole', severity: 'medium' }));
    const backward = [...segments].reverse().map((s) => hazardEvent(s, { category: 'pothole', severity: 'low' }));
    const [a, b] = await Promise.all([run.intake.onReportsMatched(forward), run.intake.onReportsMatched(backward)]);
    expect([...a, ...b].every((o) => o.kind === 'linked')).toBe(true);
    const tasks: { hazards: number }[] = await run.ds.query(`SELECT cardinality(hazard_ids) AS hazards FROM task WHERE segment_id LIKE $1`, [`dl${round - 1}-%`]);
    expect(tasks.map((t) => t.hazards)).toEqual(segments.map(() => 3));
  });

  it('commits two concurrent runs that open tasks in the same jurisdictions in opposite orders', async () => {
    const prefix = `dj${round++}`;
    const west = Array.from({ length: 8 }, (_, i) => `${prefix}-w${i}`);
    const east = Array.from({ length: 8 }, (_, i) => `${prefix}-e${i}`);
    for (const s of west) await run.intake.onSegmentProfile(profileEvent(s, ROAD_WEST));
    for (const s of east) await run.intake.onSegmentProfile(profileEvent(s, ROAD_EAST));
    const severe = (s: string) => hazardEvent(s, { category: 'debris', severity: 'critical' });
    // Each run opens (and routes) tasks in West then East, or East then West, on segments of its own.
    const westFirst = [...west.slice(0, 4), ...east.slice(0, 4)].map(severe);
    const eastFirst = [...east.slice(4), ...west.slice(4)].map(severe);
    const [a, b] = await Promise.all([run.intake.onReportsMatched(westFirst), run.intake.onReportsMatched(eastFirst)]);
    expect([...a, ...b].every((o) => o.kind === 'created')).toBe(true);
    const routed: { jurisdiction_id: string; n: number }[] = await run.ds.query(
      `SELECT jurisdiction_id, count(*)::int AS n FROM task WHERE segment_id LIKE $1 AND crew_id IS NOT NULL GROUP BY 1 ORDER BY 1`,
      [`${prefix}-%`],
    );
    expect(routed).toEqual([{ jurisdiction_id: 'east', n: 8 }, { jurisdiction_id: 'west', n: 8 }]);
  });

  it('routes the tasks a run opens to the crews one at a time would, reading the crews once and writing each task once', async () => {
    const prefix = `rc${round++}`;
    const north = Array.from({ length: 7 }, (_, i) => `${prefix}-n${i}`);
    // One more open task for one of North's two crews, whichever it is.
    const first = hazardEvent(`${prefix}-x`, { category: 'debris', severity: 'critical' });
    for (const h of [one, run]) {
      await h.areas.put('north', 'North township', NORTH);
      await h.areas.putCrew('north-2', 'North crew 2', 'north');
      await h.areas.putCrew('north-1', 'North crew 1', 'north');
      for (const s of [...north, `${prefix}-x`]) await h.intake.onSegmentProfile(profileEvent(s, ROAD_NORTH));
      await h.intake.onReportMatched(first);
    }
    // Critical hazards open (urgent) tasks; a redelivery and a low hazard open none.
    const events: ReportMatchedEvent[] = north.map((s) => hazardEvent(s, { category: 'rockfall', severity: 'critical' }));
    events.splice(3, 0, events[1], hazardEvent(north[0], { category: 'pothole', severity: 'low' }));
    const a: TaskIntakeOutcome[] = [];
    for (const e of events) a.push(await one.intake.onReportMatched(e));
    const { result: b, statements } = await recordingStatements(run, () => run.intake.onReportsMatched(events));
    const state = await compare(prefix, a, b);
    expect(b.filter((o) => o.kind === 'created')).toHaveLength(7);
    // Spread over both crews as the counts say: 8 tasks, 4 each.
    expect(state.tasks.map((t) => t.crew_id).sort()).toEqual([...Array(4).fill('north-1'), ...Array(4).fill('north-2')]);
    expect(statements.filter((q) => /FROM crew c WHERE/.test(q))).toHaveLength(1);
    // Inserted assigned, all seven with one statement at the end of the run: no task written a second time to route it.
    expect(statements.filter((q) => /INSERT INTO task \(/.test(q))).toHaveLength(1);
    expect(statements.filter((q) => /UPDATE task SET status/.test(q))).toEqual([]);
  });

  it('gives up a run whose opened task is refused at its insert (another writer opened one meanwhile), keeping nothing of it', async () => {
    const prefix = `rr${round++}`;
    const [first, second] = [`${prefix}-a`, `${prefix}-b`];
    for (const s of [first, second]) await run.intake.onSegmentProfile(profileEvent(s, ROAD_WEST));
    const events = [hazardEvent(first, { category: 'rockfall', severity: 'critical' }), hazardEvent(second, { category: 'missing_guardrail', severity: 'critical' })];
    // A guardrail opened by a programme's approval (which takes no segment lock) after the run decided to open one there.
    const now = run.clock.now();
    const other: TaskRecord = {
      id: randomUUID(), segmentId: second, countermeasure: countermeasureFor('missing_guardrail'), side: 'left', status: 'created', priority: 'p2',
      reason: 'guardrail required on the left', rule: 'mandatory_protection', hazardIds: [], sourceEventId: randomUUID(), correlationId: 'other', riskLevel: null,
      riskScore: null, jurisdictionId: null, crewId: null, version: 1, fixFailed: false, duplicateOf: null, statusReason: null, reopenCount: 0,
      dueAt: now, acceptedAt: null, submittedAt: null, verifiedAt: null, closedAt: null, escalatedAt: null, createdAt: now, updatedAt: now,
    };
    const insertMany = run.tasks.insertManyIfNoneOpen.bind(run.tasks);
    const inserts = jest.spyOn(run.tasks, 'insertManyIfNoneOpen').mockImplementationOnce(async (tasks, scope) => {
      expect(tasks.map((t) => t.segmentId)).toEqual([first, second]);
      await run.tx.run((own) => run.ledger.create(other, { actor: SYSTEM_ACTOR, correlationId: 'other' }, own));
      return insertMany(tasks, scope);
    });
    const outboxBefore: { n: number }[] = await run.ds.query(`SELECT count(*)::int AS n FROM outbox`);
    try {
      await expect(run.intake.onReportsMatched(events)).rejects.toThrow(DeferredTaskRefused);
    } finally {
      inserts.mockRestore();
    }
    // Nothing of the run: no hazard recorded, no task but the other writer's, only its own records.
    expect(await run.ds.query(`SELECT count(*)::int AS n FROM segment_hazard WHERE segment_id LIKE $1`, [`${prefix}-%`])).toEqual([{ n: 0 }]);
    expect(await run.ds.query(`SELECT id FROM task WHERE segment_id LIKE $1`, [`${prefix}-%`])).toEqual([{ id: other.id }]);
    expect(await run.ds.query(`SELECT count(*)::int AS n FROM outbox`)).toEqual([{ n: outboxBefore[0].n + 1 }]);
    // One at a time, as the consumer then handles the run's reports: the first opens its task, the second joins the other writer's.
    const outcomes: TaskIntakeOutcome[] = [];
    for (const e of events) outcomes.push(await run.intake.onReportMatched(e));
    expect(outcomes.map((o) => o.kind)).toEqual(['created', 'linked']);
    expect(outcomes[1]).toEqual({ kind: 'linked', taskId: other.id });
  });

  it('routes the tasks a run opens after it reopened a fix or handled a fatal crash by the crews as they are then', async () => {
    const prefix = `rf${round++}`;
    const seg = (name: string) => `${prefix}-${name}`;
    const fixed = hazardEvent(seg('f'), { category: 'debris', severity: 'critical' });
    for (const h of [one, run]) {
      await h.areas.put('north', 'North township', NORTH);
      await h.areas.putCrew('north-2', 'North crew 2', 'north');
      await h.areas.putCrew('north-1', 'North crew 1', 'north');
      for (const name of ['f', 'a', 'b', 'c', 'd', 'e']) await h.intake.onSegmentProfile(profileEvent(seg(name), ROAD_NORTH));
      await h.intake.onReportMatched(fixed);
      await verify(h, seg('f'), { lon: 1.5505, lat: 42.58035 });
    }
    const window = new Date(one.clock.now().getTime() + 2 * DAY).toISOString();
    // Each run reads the crews for its first task, then changes them another way (the failed fix
    // reopened and given back to a crew; a fatal crash's investigation opened and routed), then opens more.
    const runs: ReportMatchedEvent[][] = [
      [
        hazardEvent(seg('a'), { category: 'rockfall', severity: 'critical' }),
        hazardEvent(seg('f'), { category: 'debris', severity: 'high', reportedAt: window }),
        hazardEvent(seg('b'), { category: 'rockfall', severity: 'critical' }),
        hazardEvent(seg('c'), { category: 'rockfall', severity: 'critical' }),
      ],
      [
        hazardEvent(seg('d'), { category: 'landslide', severity: 'critical' }),
        accidentEvent(seg('e'), { deaths: 1, occurredAt: window }),
        hazardEvent(seg('a'), { category: 'flooded_road', severity: 'critical' }),
        hazardEvent(seg('b'), { category: 'flooded_road', severity: 'critical' }),
      ],
    ];
    const a: TaskIntakeOutcome[] = [];
    const b: TaskIntakeOutcome[] = [];
    for (const events of runs) {
      for (const e of events) a.push(await one.intake.onReportMatched(e));
      b.push(...(await run.intake.onReportsMatched(events)));
    }
    expect(a.map((o) => o.kind)).toEqual(['created', 'reopened', 'created', 'created', 'created', 'created', 'created', 'created']);
    await compare(prefix, a, b);
  });

  it('writes nothing for a task inserted assigned where one of its countermeasure is open', async () => {
    const segmentId = `ra${round++}`;
    await run.intake.onSegmentProfile(profileEvent(segmentId, ROAD_WEST));
    await run.intake.onReportMatched(hazardEvent(segmentId, { category: 'debris', severity: 'critical' }));
    const [open] = await run.queries.list({ segmentId, limit: 5, offset: 0 }, principals.dispatcher);
    const before: { n: number }[] = await run.ds.query(`SELECT count(*)::int AS n FROM outbox`);
    const second = { ...(await run.tasks.find(open.id))!, id: randomUUID(), status: 'created' as const, crewId: null, version: 1 };
    const ctx = { actor: SYSTEM_ACTOR, correlationId: 'again' };
    const written = await run.tx.run((scope) => run.ledger.createAssigned(second, ctx, { ...ctx, patch: { crewId: 'west-a' } }, scope));
    expect(written).toBeNull();
    expect(await run.ds.query(`SELECT count(*)::int AS n FROM outbox`)).toEqual(before);
    expect(await run.tasks.find(second.id)).toBeNull();
  });

  it('handles the reports of a run that link or are ignored with a number of statements that does not grow with the run', async () => {
    const statementsOf = async (size: number) => {
      const segments = Array.from({ length: size }, (_, i) => `st${round}-${i}`);
      round++;
      for (const s of segments) await run.intake.onReportMatched(hazardEvent(s, { category: 'debris', severity: 'high' }));
      const events = segments.flatMap((s) => [hazardEvent(s, { category: 'debris', severity: 'low' }), hazardEvent(s, { category: 'ice', severity: 'medium' })]);
      const { result: outcomes, statements } = await recordingStatements(run, () => run.intake.onReportsMatched(events));
      expect(outcomes.map((o) => o.kind)).toEqual(segments.flatMap(() => ['linked', 'ignored']));
      return statements.length;
    };
    const [small, large] = [await statementsOf(5), await statementsOf(50)];
    expect(large).toBe(small);
  });

  describe('with a default crew', () => {
    let dOne: Harness;
    let dRun: Harness;

    beforeAll(async () => {
      // The default crew is one of West's, as a region's first township's crew is: what it is given counts in West's balance.
      [dOne, dRun] = await Promise.all([openHarness('rundefone', { DEFAULT_CREW_ID: 'west-a' }), openHarness('rundefrun', { DEFAULT_CREW_ID: 'west-a' })]);
      for (const h of [dOne, dRun]) {
        await h.areas.put('west', 'West township', WEST);
        await h.areas.put('south', 'South township', SOUTH);
        await h.areas.putCrew('west-b', 'West crew B', 'west');
        await h.areas.putCrew('west-a', 'West crew A', 'west');
      }
    });
    afterAll(async () => Promise.all([dOne?.close(), dRun?.close()]));

    /** Critical hazards on these roads, handled one at a time in `hOne` and as one run in `hRun`, which must leave the same. */
    async function bothWays(hOne: Harness, hRun: Harness, prefix: string, roads: [string, [number, number][]][]) {
      for (const h of [hOne, hRun]) for (const [name, road] of roads) await h.intake.onSegmentProfile(profileEvent(`${prefix}-${name}`, road));
      const events = roads.map(([name]) => hazardEvent(`${prefix}-${name}`, { category: 'rockfall', severity: 'critical' }));
      const a: TaskIntakeOutcome[] = [];
      for (const e of events) a.push(await hOne.intake.onReportMatched(e));
      const { result: b, statements } = await recordingStatements(hRun, () => hRun.intake.onReportsMatched(events));
      const [sa, sb] = [await snapshot(hOne, prefix), await snapshot(hRun, prefix)];
      sameOutcomes(a, sa.labels, b, sb.labels);
      const { labels: _la, ...ra } = sa;
      const { labels: _lb, ...rb } = sb;
      expect(rb).toEqual(ra);
      return { outcomes: b, statements, state: ra };
    }

    it('gives urgent tasks outside every jurisdiction, or in one without a crew, to the default crew as one at a time would, writing each task once', async () => {
      const prefix = `rd${round++}`;
      const roads: [string, [number, number][]][] = [
        ['w0', ROAD_WEST], ['o0', ROAD_OUT], ['w1', ROAD_WEST], ['s0', ROAD_SOUTH], ['w2', ROAD_WEST],
        ['o1', ROAD_OUT], ['w3', ROAD_WEST], ['s1', ROAD_SOUTH], ['w4', ROAD_WEST],
      ];
      const { outcomes, statements, state } = await bothWays(dOne, dRun, prefix, roads);
      expect(outcomes.map((o) => o.kind)).toEqual(Array(roads.length).fill('created'));
      const routed = Object.fromEntries(state.tasks.map((t) => [String(t.segment_id).slice(prefix.length + 1), [t.crew_id, t.jurisdiction_id]]));
      // West's crews share West's work with what the default crew (west-a) was given meanwhile.
      expect(routed).toEqual({
        w0: ['west-a', 'west'], o0: ['west-a', null], w1: ['west-b', 'west'], s0: ['west-a', 'south'], w2: ['west-b', 'west'],
        o1: ['west-a', null], w3: ['west-b', 'west'], s1: ['west-a', 'south'], w4: ['west-b', 'west'],
      });
      const reasons = state.history.filter((r) => r.change === 'assigned').map((r) => r.reason);
      expect(reasons).toContain("automatic: the region's default crew (the segment lies outside every jurisdiction)");
      expect(reasons).toContain("automatic: the region's default crew (south has no crew)");
      // The run's crews and the default crew read once each; every task written once, assigned, with one statement.
      expect(statements.filter((q) => /FROM crew c WHERE/.test(q))).toHaveLength(2);
      expect(statements.filter((q) => /INSERT INTO task \(/.test(q))).toHaveLength(1);
      expect(statements.filter((q) => /UPDATE task SET status/.test(q))).toEqual([]);
    });

    it("counts the default crew's task in its jurisdiction when the run's first task went to it before the crews were read", async () => {
      // West's crews without a task yet: one task more or less decides who gets the next.
      const [fOne, fRun] = await Promise.all([openHarness('rundeffone', { DEFAULT_CREW_ID: 'west-a' }), openHarness('rundeffrun', { DEFAULT_CREW_ID: 'west-a' })]);
      try {
        for (const h of [fOne, fRun]) {
          await h.areas.put('west', 'West township', WEST);
          await h.areas.putCrew('west-b', 'West crew B', 'west');
          await h.areas.putCrew('west-a', 'West crew A', 'west');
        }
        const prefix = `rf${round++}`;
        const { statements, state } = await bothWays(fOne, fRun, prefix, [['o0', ROAD_OUT], ['w0', ROAD_WEST], ['w1', ROAD_WEST], ['w2', ROAD_WEST]]);
        const routed = Object.fromEntries(state.tasks.map((t) => [String(t.segment_id).slice(prefix.length + 1), t.crew_id]));
        // West's first task goes to west-b: west-a already holds the task outside every jurisdiction.
        expect(routed).toEqual({ o0: 'west-a', w0: 'west-b', w1: 'west-a', w2: 'west-b' });
        // The task given to the default crew is inserted before West's crews are counted, the others at the end.
        expect(statements.filter((q) => /INSERT INTO task \(/.test(q))).toHaveLength(2);
      } finally {
        await Promise.all([fOne.close(), fRun.close()]);
      }
    });
  });
});
