import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Harness, HOUR, box, hazardEvent, openHarness, principals, profileEvent } from '../testing/harness';
import { parseOrThrow } from '@roadloop/http';
import { listQuerySchema } from './task-http.schema';
import { tasksCsv, tasksGeoJson } from './task-list.format';
import { TaskQueryService } from './task-query.service';
import { TaskFilter } from './task.model';

jest.setTimeout(60_000);

const all = (over: Partial<TaskFilter> = {}): TaskFilter => ({ limit: 100, offset: 0, ...over });

describe(`${TaskQueryService.name} (map and paging)`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness('tasklist');
    await h.areas.put('north', 'North', box(20, 41, 20.1, 41.1));
    await h.areas.putCrew('north-crew', 'North crew', 'north');
    // Three segments in the north area, two far south outside every area; one hazard task each.
    const places: [string, number, number][] = [
      ['n1', 20.01, 41.01],
      ['n2', 20.05, 41.05],
      ['n3', 20.09, 41.09],
      ['s1', 20.05, 40.5],
      ['s2', 20.06, 40.5],
    ];
    for (const [id, lon, lat] of places) {
      await h.intake.onSegmentProfile(profileEvent(id, [[lon - 0.001, lat], [lon + 0.001, lat]]));
      await h.intake.onReportMatched(hazardEvent(id, { category: 'rockfall', severity: 'critical' }));
      h.clock.advance(HOUR);
    }
    // A task on a segment whose geometry has not arrived yet.
    await h.intake.onReportMatched(hazardEvent('unknown-seg', { category: 'flooded_road', severity: 'high' }));
  });
  afterAll(async () => h.close());

  it('finds the tasks whose segment midpoint lies in a box, as GeoJSON Points with what a dispatcher needs to assign', async () => {
    const page = await h.queries.page(all({ bbox: [20, 41, 20.06, 41.1] }), principals.dispatcher);
    const geo = tasksGeoJson(page);
    expect(geo.type).toBe('FeatureCollection');
    expect(geo.nextCursor).toBeNull();
    expect(geo.features.map((f) => f.properties.segmentId).sort()).toEqual(['n1', 'n2']);
    const n2 = geo.features.find((f) => f.properties.segmentId === 'n2')!;
    expect(n2.geometry!.type).toBe('Point');
    expect(n2.geometry!.coordinates[0]).toBeCloseTo(20.05, 9);
    expect(n2.geometry!.coordinates[1]).toBeCloseTo(41.05, 9);
    expect(n2.properties).toEqual({
      id: n2.id,
      status: 'assigned',
      countermeasure: 'rockfall_clearing',
      priority: expect.stringMatching(/^p[123]$/),
      segmentId: 'n2',
      crewId: 'north-crew',
      jurisdictionId: 'north',
      dueAt: expect.any(String),
      overdue: false,
      version: 2,
    });
  });

  it('combines several statuses with the jurisdiction filter, and flags overdue tasks', async () => {
    const unassigned = await h.queries.page(all({ status: ['created'] }), principals.dispatcher);
    expect(unassigned.items.map((t) => t.segmentId).sort()).toEqual(['s1', 's2', 'unknown-seg']);
    const both = await h.queries.page(all({ status: ['created', 'assigned'], jurisdictionId: 'north' }), principals.dispatcher);
    expect(both.items.map((t) => t.segmentId)).toEqual(['n3', 'n2', 'n1']);
    h.clock.advance(30 * 24 * HOUR);
    try {
      const later = await h.queries.page(all({ bbox: [20, 40, 20.1, 41.1] }), principals.dispatcher);
      expect(later.items.every((t) => t.overdue)).toBe(true);
    } finally {
      h.clock.advance(-30 * 24 * HOUR);
    }
  });

  it('leaves tasks of unknown segments out of a box but lists them without a location otherwise', async () => {
    const page = await h.queries.page(all({ segmentId: 'unknown-seg' }), principals.dispatcher);
    expect(page.items).toHaveLength(1);
    expect(page.items[0].location).toBeNull();
    expect(tasksGeoJson(page).features[0].geometry).toBeNull();
  });

  it('pages with a cursor through every task exactly once, newest first', async () => {
    const seen: string[] = [];
    let after: TaskFilter['after'];
    let pages = 0;
    for (;;) {
      const page = await h.queries.page(all({ limit: 2, after }), principals.analyst);
      seen.push(...page.items.map((t) => t.segmentId));
      pages++;
      if (!page.nextCursor) break;
      after = parseOrThrow(listQuerySchema, { cursor: page.nextCursor }).cursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['unknown-seg', 's2', 's1', 'n3', 'n2', 'n1']);
  });

  it('shows a crew only its own tasks, on the map too', async () => {
    const own = await h.queries.page(all(), principals.crew('north-crew'));
    expect(own.items.map((t) => t.segmentId).sort()).toEqual(['n1', 'n2', 'n3']);
    expect((await h.queries.page(all(), principals.crew('someone-else'))).items).toEqual([]);
  });

  it('writes CSV with a header and one row per task', async () => {
    const csv = tasksCsv(await h.queries.page(all({ jurisdictionId: 'north', limit: 1 }), principals.dispatcher));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,status,countermeasure,priority,segmentId,crewId,jurisdictionId,dueAt,overdue,version,escalated,lon,lat,createdAt,updatedAt,reason');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/,assigned,rockfall_clearing,p\d,n3,north-crew,north,/);
  });
});
