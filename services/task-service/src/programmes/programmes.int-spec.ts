import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthModule, Role, signToken } from '@roadloop/auth';
import { configureApp } from '@roadloop/http';
import { TransactionRunner } from '@roadloop/persistence';
import { Clock } from '../clock';
import { TASK_CONFIG } from '../config';
import { OCCUPYING_STATUSES } from '../crews/work-class';
import { RoadsideRepository } from '../roadside/roadside.repository';
import { AssignmentService } from '../tasks/assignment.service';
import { TaskLedger } from '../tasks/task-ledger.service';
import { Harness, box, openHarness, principals, profileEvent } from '../testing/harness';
import { ProgrammeRepository } from './programme.repository';
import { ProgrammeService } from './programme.service';
import { ProgrammesController } from './programmes.controller';

jest.setTimeout(90_000);

const auth = { secret: 'programmes-int-spec-secret-0123456789abcd', issuer: 'roadloop', audience: 'roadloop-api', clockSkewS: 30 };
/** Three 100 m pieces of way `way` along a river on their right (0.0012° of longitude ≈ 98 m at 42.5°N). */
const piece = (way: number, i: number): [number, number][] => [[1.52 + i * 0.0012, 42.5 + way * 0.0001], [1.52 + (i + 1) * 0.0012, 42.5 + way * 0.0001]];
const river = { waterDistanceM: 6, waterSide: 'right' as const, guardrail: { left: 0, right: 0 } };
const WAYS = [71, 72, 73];

/**
 * Programmes over HTTP against the real PostgreSQL: a draft within the budget from the surveyed
 * inventory, read as JSON, CSV and GeoJSON; its approval into works tasks that carry their stretch
 * and enter the crew's capacity queue; a crew may do neither.
 */
describe(ProgrammesController.name, () => {
  let h: Harness;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    h = await openHarness('programmes', { CREW_WORKS_CAPACITY: '1', MANDATORY_PROTECTION_ENABLED: 'false' });
    await h.areas.put('valley', 'Valley township', box(1.5, 42.49, 1.56, 42.52));
    await h.areas.putCrew('valley-crew', 'Valley crew', 'valley');
    for (const way of WAYS) for (let i = 0; i < 3; i++) await h.intake.onSegmentProfile(profileEvent(`w${way}-${i}`, piece(way, i), river));
    // A survey found no guardrail on the right of the three roads (recorded as the survey would, without its works tasks).
    for (const way of WAYS) {
      for (let i = 0; i < 3; i++) {
        await h.ds.query(`INSERT INTO roadside_inventory (segment_id, side, status, source, observed_at, recorded_by) VALUES ($1, 'right', 'absent', 'crew_survey', now(), 'test')`, [`w${way}-${i}`]);
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot(auth)],
      controllers: [ProgrammesController],
      providers: [
        { provide: TASK_CONFIG, useValue: h.config },
        { provide: Clock, useValue: h.clock },
        { provide: TransactionRunner, useValue: h.tx },
        { provide: ProgrammeRepository, useValue: new ProgrammeRepository(h.ds) },
        { provide: RoadsideRepository, useValue: new RoadsideRepository(h.ds) },
        { provide: TaskLedger, useValue: h.ledger },
        { provide: AssignmentService, useValue: h.assignment },
        ProgrammeService,
      ],
    }).compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  const token = async (role: Role, crewId?: string) => `Bearer ${await signToken({ sub: `${role}-1`, role, crewId, ttlS: 3600 }, auth)}`;
  async function call(method: string, path: string, role: Role, body?: unknown, crewId?: string) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: await token(role, crewId), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text, body: text.startsWith('{') ? JSON.parse(text) : null };
  }

  it('drafts a programme within the budget, reads it as JSON, CSV and GeoJSON, and approves it into queued works carrying their stretches', async () => {
    // A guardrail costs 450,000 a km: 135,000 a 0.3 km stretch; 300,000 buys two of the three.
    const budget = 300_000;
    expect((await call('POST', '/v1/programmes', 'crew', { budget, year: 2027 }, 'valley-crew')).status).toBe(403);
    const bad = await call('POST', '/v1/programmes', 'dispatcher', { budget: -1, year: 2027.5 });
    expect([bad.status, bad.body.fields.map((f: { field: string }) => f.field).sort()]).toEqual([400, ['budget', 'year']]);

    const created = await call('POST', '/v1/programmes', 'dispatcher', { budget, year: 2027 });
    expect(created.status).toBe(201);
    const draft = created.body;
    expect(draft).toMatchObject({ status: 'draft', year: 2027, budget });
    expect(draft.cost).toBeLessThanOrEqual(budget);
    expect(draft.items).toHaveLength(2);
    expect(draft.items.map((i: { countermeasure: string; side: string; members: unknown[] }) => [i.countermeasure, i.side, i.members.length])).toEqual([
      ['guardrail', 'right', 3],
      ['guardrail', 'right', 3],
    ]);
    expect(draft.fsiPrevented).toBeGreaterThan(0);
    expect(draft.summary.greedy.cost).toBeLessThanOrEqual(budget);

    const csv = await call('GET', `/v1/programmes/${draft.id}?format=csv`, 'analyst');
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('item,stretchId,road,side,countermeasure,lengthKm,segments,cost,fsiPrevented,bcr,serviceLifeYears,taskId');
    expect(csv.text.trim().split('\r\n')).toHaveLength(3);
    const layer = await call('GET', `/v1/programmes/${draft.id}?format=geojson`, 'crew', undefined, 'valley-crew');
    expect(layer.type).toMatch(/^application\/geo\+json/);
    expect(layer.body.features.map((f: { geometry: { type: string; coordinates: unknown[] } }) => [f.geometry.type, f.geometry.coordinates.length])).toEqual([
      ['MultiLineString', 3],
      ['MultiLineString', 3],
    ]);
    expect((await call('GET', `/v1/programmes/${draft.id}?format=xml`, 'analyst')).status).toBe(400);
    // The list: newest first, totals and state without the items.
    const listed = await call('GET', '/v1/programmes?limit=5', 'analyst');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: draft.id, year: 2027, budget, status: 'draft', cost: draft.cost, fsiPrevented: draft.fsiPrevented, itemCount: 2 })]);
    expect(listed.body.items[0]).not.toHaveProperty('items');
    const badLimit = await call('GET', '/v1/programmes?limit=0', 'analyst');
    expect([badLimit.status, badLimit.body.fields.map((f: { field: string }) => f.field)]).toEqual([400, ['limit']]);
    expect((await call('GET', `/v1/programmes/00000000-0000-4000-8000-000000000000`, 'analyst')).body).toMatchObject({ statusCode: 404, error: 'PROGRAMME_NOT_FOUND' });

    expect((await call('POST', `/v1/programmes/${draft.id}/approve`, 'crew', undefined, 'valley-crew')).status).toBe(403);
    const approved = await call('POST', `/v1/programmes/${draft.id}/approve`, 'admin');
    expect(approved.status).toBe(200);
    expect(approved.body.programme.status).toBe('approved');
    const taskIds: string[] = approved.body.tasks.map((t: { taskId: string }) => t.taskId);
    expect(taskIds.every((id) => typeof id === 'string')).toBe(true);
    // Capacity 1: one released to the crew, the other waits in its queue.
    expect(approved.body.tasks.map((t: { status: string; crewId: string }) => [t.status, t.crewId]).sort()).toEqual([
      ['assigned', 'valley-crew'],
      ['created', 'valley-crew'],
    ]);
    for (const id of taskIds) {
      const task = await h.queries.detail(id, principals.dispatcher);
      expect(task).toMatchObject({ countermeasure: 'guardrail', side: 'right', rule: 'programme', priority: 'p3' });
      expect(task.reason).toMatch(/^programme 2027: guardrail, right side, 0\.\d\d km of w7\d \(3 segments\): prevents /);
      const stretch = await h.roadside.stretch(id, principals.dispatcher);
      expect([stretch.geometry.type, stretch.members.length]).toEqual(['MultiLineString', 3]);
    }
    const [held] = await h.ds.query(`SELECT count(*)::int AS n FROM task WHERE crew_id = 'valley-crew' AND status = ANY($1::text[])`, [OCCUPYING_STATUSES]);
    expect(held.n).toBe(1);
    expect((await call('GET', `/v1/programmes/${draft.id}`, 'analyst')).body.items.map((i: { taskId: string }) => i.taskId).sort()).toEqual([...taskIds].sort());
    expect((await call('POST', `/v1/programmes/${draft.id}/approve`, 'dispatcher')).body).toMatchObject({ statusCode: 409, error: 'PROGRAMME_ALREADY_APPROVED' });
    expect((await call('GET', '/v1/programmes', 'analyst')).body.items.map((p: { status: string }) => p.status)).toEqual(['approved']);
  });
});
