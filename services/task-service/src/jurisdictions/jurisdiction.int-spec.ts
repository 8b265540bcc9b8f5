import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import { Harness, box, hazardEvent, openHarness, profileEvent } from '../testing/harness';
import { Principal } from '@roadloop/auth';
import { TaskFilter } from '../tasks/task.model';
import { putJurisdictionSchema } from './jurisdiction.schema';
import { JurisdictionService } from './jurisdiction.service';

jest.setTimeout(60_000);

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    return (err as AppError).fields.map((f) => f.field);
  }
  return [];
}

describe(JurisdictionService.name, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness('areas');
  });
  afterAll(async () => h.close());

  it('refuses a self-intersecting polygon with PostGIS\'s reason, and stores a valid one', async () => {
    const bowtie = { type: 'Polygon' as const, coordinates: [[[1.5, 42.5], [1.6, 42.6], [1.6, 42.5], [1.5, 42.6], [1.5, 42.5]] as [number, number][]] };
    await expect(h.areas.put('bow', 'Bow tie', bowtie)).rejects.toMatchObject({
      kind: 'invalid',
      code: 'INVALID_GEOMETRY',
      fields: [{ field: 'geometry', message: expect.stringMatching(/Self-intersection/) }],
    });
    expect(await h.areas.put('ok', 'Township', box(1.5, 42.5, 1.6, 42.6))).toEqual({ id: 'ok', name: 'Township', created: true, reassignedSegments: 0 });
    expect(await h.areas.put('ok', 'Township renamed', box(1.5, 42.5, 1.6, 42.6))).toMatchObject({ created: false });
    expect((await h.areas.get('ok')).geometry).toMatchObject({ type: 'MultiPolygon' });
  });

  it('names each bad field of a body: out-of-range coordinates, open rings, unknown fields', () => {
    const outOfRange = { name: 'x', geometry: { type: 'Polygon', coordinates: [[[181, 42], [1, 95], [1, 42], [181, 42]]] } };
    expect(fieldsOf(() => parseOrThrow(putJurisdictionSchema, outOfRange))).toEqual(
      expect.arrayContaining(['geometry.coordinates.0.0.0', 'geometry.coordinates.0.1.1']),
    );
    const open = { name: 'x', geometry: { type: 'Polygon', coordinates: [[[1, 42], [2, 42], [2, 43], [1, 43]]] } };
    expect(fieldsOf(() => parseOrThrow(putJurisdictionSchema, open))).toEqual(['geometry.coordinates.0']);
    expect(fieldsOf(() => parseOrThrow(putJurisdictionSchema, { name: 'x', geometry: box(1, 1, 2, 2), colour: 'red' }))).toEqual(['colour']);
    expect(fieldsOf(() => parseOrThrow(putJurisdictionSchema, { name: '', geometry: { type: 'LineString', coordinates: [] } }))).toEqual(['name', 'geometry.type']);
  });

  it('finds the jurisdiction of a segment in a MultiPolygon, and none outside every area', async () => {
    const islands = { type: 'MultiPolygon' as const, coordinates: [box(2, 42, 2.1, 42.1).coordinates, box(3, 42, 3.1, 42.1).coordinates] };
    await h.areas.put('islands', 'Two islands', islands);
    await h.intake.onSegmentProfile(profileEvent('on-island', [[3.05, 42.05], [3.06, 42.06]]));
    await h.intake.onSegmentProfile(profileEvent('at-sea', [[2.5, 42.05], [2.51, 42.06]]));
    expect(await h.jurisdictions.forSegment('on-island')).toBe('islands');
    expect(await h.jurisdictions.forSegment('at-sea')).toBeNull();
  });

  it('refuses the id "index", which names the daily index route', async () => {
    await expect(h.areas.put('index', 'Index', box(5, 42, 5.1, 42.1))).rejects.toMatchObject({ code: 'RESERVED_ID', fields: [{ field: 'id' }] });
  });

  it('refuses a crew of an unknown jurisdiction', async () => {
    await expect(h.areas.putCrew('c', 'Crew', 'nowhere')).rejects.toMatchObject({ code: 'JURISDICTION_NOT_FOUND', fields: [{ field: 'jurisdictionId' }] });
  });

  it('routes the tasks that waited for a crew when the jurisdiction gets its first crews, balancing them', async () => {
    await h.areas.put('valley', 'Valley', box(4, 42, 4.1, 42.1));
    for (const [i, segmentId] of ['v1', 'v2', 'v3'].entries()) {
      await h.intake.onSegmentProfile(profileEvent(segmentId, [[4.01 + i * 0.01, 42.05], [4.015 + i * 0.01, 42.055]]));
      await h.intake.onReportMatched(hazardEvent(segmentId, { category: 'rockfall', severity: 'critical' }));
    }
    const valley: TaskFilter = { jurisdictionId: 'valley', limit: 10, offset: 0 };
    const dispatcher: Principal = { id: 'd', role: 'dispatcher', crewId: null };
    const waiting = await h.queries.list(valley, dispatcher);
    expect(waiting.map((t) => [t.crewId, t.status])).toEqual([
      [null, 'created'],
      [null, 'created'],
      [null, 'created'],
    ]);

    expect(await h.areas.putCrew('valley-a', 'Crew A', 'valley')).toMatchObject({ created: true, assignedWaitingTasks: 3 });
    expect(await h.areas.putCrew('valley-b', 'Crew B', 'valley')).toMatchObject({ created: true, assignedWaitingTasks: 0 });
    const routed = await h.queries.list(valley, dispatcher);
    expect(routed.map((t) => t.status)).toEqual(['assigned', 'assigned', 'assigned']);
  });
});
