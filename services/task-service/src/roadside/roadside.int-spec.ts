import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AppError } from '@roadloop/core';
import { Harness, box, openHarness, photo, principals, profileEvent } from '../testing/harness';
import { RoadsideService } from './roadside.service';

jest.setTimeout(60_000);

/** Three 100 m pieces of way 50 along a river on their right (0.0012° of longitude ≈ 98 m at 42.5°N). */
const piece = (i: number): [number, number][] => [[1.52 + i * 0.0012, 42.505], [1.52 + (i + 1) * 0.0012, 42.505]];
const river = { waterDistanceM: 6, waterSide: 'right' as const, guardrail: { left: 0, right: 0 } };

/** A harness with the valley township, its crew, and way 50's three pieces along the river. */
async function openValley(label: string): Promise<Harness> {
  const h = await openHarness(label);
  await h.areas.put('valley', 'Valley township', box(1.5, 42.49, 1.56, 42.52));
  await h.areas.putCrew('valley-crew', 'Valley crew', 'valley');
  for (let i = 0; i < 3; i++) await h.intake.onSegmentProfile(profileEvent(`w50-${i}`, piece(i), river));
  return h;
}

async function refusal(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe(RoadsideService.name, () => {
  let h: Harness;

  beforeAll(async () => {
    h = await openValley('roadside');
    // A fourth segment elsewhere, for the import.
    await h.intake.onSegmentProfile(profileEvent('w60-0', [[1.54, 42.51], [1.5412, 42.51]], river));
    // Three more for the GeoJSON import, digitised west to east (left is north).
    for (let i = 0; i < 3; i++) await h.intake.onSegmentProfile(profileEvent(`w80-${i}`, piece(i).map(([lon]) => [lon, 42.5] as [number, number]), river));
    // Three more along the river, surveyed bare by import, for a works stretch.
    for (let i = 0; i < 3; i++) await h.intake.onSegmentProfile(profileEvent(`w70-${i}`, piece(i).map(([lon]) => [lon, 42.515] as [number, number]), river));
  });
  afterAll(async () => h.close());

  const inventory = async () => h.ds.query(`SELECT segment_id, side, status, source FROM roadside_inventory ORDER BY segment_id, side`);

  it('opens one survey for the stretch, then guardrail works only where the crew found none or a damaged one', async () => {
    const opened = await h.roadside.plan();
    const tasks = await h.queries.list({ limit: 50, offset: 0 }, principals.dispatcher);
    const survey = tasks.find((t) => t.segmentId === 'w50-0')!;
    expect(opened).toContain(survey.id);
    expect(survey).toMatchObject({ countermeasure: 'roadside_survey', status: 'assigned', crewId: 'valley-crew', rule: 'mandatory_protection' });
    expect(survey.reason).toMatch(/^mandatory protection: survey the roadside of 0\.30 km of w50 \(3 segments\): water within 20 m on 3 segment\(s\) \(guardrail must be set\)/);
    expect(tasks.filter((t) => ['w50-1', 'w50-2'].includes(t.segmentId))).toEqual([]);
    const stretch = await h.roadside.stretch(survey.id, principals.dispatcher);
    expect(stretch.members.map((m) => m.segmentId)).toEqual(['w50-0', 'w50-1', 'w50-2']);
    expect(stretch.geometry.coordinates).toHaveLength(3);

    const crew = principals.crew('valley-crew');
    // Findings before the crew accepted, and findings that overlap, are refused.
    expect((await refusal(h.roadside.recordSurvey(survey.id, crew, { findings: [{ side: 'right', fromM: 0, toM: 50, status: 'absent' }] }))).code).toBe('SURVEY_NOT_STARTED');
    await h.commands.execute(survey.id, crew, { action: 'accept' });
    const overlap = await refusal(
      h.roadside.recordSurvey(survey.id, crew, {
        findings: [
          { side: 'right', fromM: 0, toM: 150, status: 'absent' },
          { side: 'right', fromM: 100, toM: 300, status: 'present' },
        ],
      }),
    );
    expect([overlap.code, overlap.fields.map((f) => f.field)]).toEqual(['SURVEY_FINDINGS_INVALID', ['findings.1']]);
    expect(await inventory()).toEqual([]);

    // Right side: none over the first 120 m, a guardrail beyond; the left side (no need) is recorded too.
    const result = await h.roadside.recordSurvey(survey.id, crew, {
      findings: [
        { side: 'right', fromM: 0, toM: 120, status: 'absent' },
        { side: 'right', fromM: 120, toM: 300, status: 'present' },
        { side: 'left', fromM: 0, toM: 300, status: 'absent' },
      ],
    });
    expect(await inventory()).toEqual([
      { segment_id: 'w50-0', side: 'left', status: 'absent', source: 'crew_survey' },
      { segment_id: 'w50-0', side: 'right', status: 'absent', source: 'crew_survey' },
      { segment_id: 'w50-1', side: 'left', status: 'absent', source: 'crew_survey' },
      { segment_id: 'w50-1', side: 'right', status: 'present', source: 'crew_survey' },
      { segment_id: 'w50-2', side: 'left', status: 'absent', source: 'crew_survey' },
      { segment_id: 'w50-2', side: 'right', status: 'present', source: 'crew_survey' },
    ]);
    // Each surveyed segment's sides go out once, through the outbox, for the risk service to re-score.
    const changed: { value: { payload: { segmentId: string; sides: { side: string; status: string; source: string }[] } } }[] = await h.ds.query(
      `SELECT value FROM outbox WHERE topic = 'int.roadloop.roadside.inventory-changed.v1' ORDER BY seq`,
    );
    expect(changed.map((e) => [e.value.payload.segmentId, e.value.payload.sides.map((s) => `${s.side} ${s.status} ${s.source}`)])).toEqual([
      ['w50-0', ['left absent crew_survey', 'right absent crew_survey']],
      ['w50-1', ['left absent crew_survey', 'right present crew_survey']],
      ['w50-2', ['left absent crew_survey', 'right present crew_survey']],
    ]);
    expect(result.opened).toHaveLength(1);
    const works = await h.queries.detail(result.opened[0], principals.dispatcher);
    expect(works).toMatchObject({ countermeasure: 'guardrail', side: 'right', segmentId: 'w50-0', priority: 'p2', rule: 'mandatory_protection' });
    expect(works.reason).toMatch(/^mandatory protection: guardrail, right side, 0\.10 km of w50 \(1 segments\): .*found it absent$/);
    expect((await h.roadside.stretch(works.id, principals.dispatcher)).geometry.type).toBe('MultiLineString');
    // Planning again opens nothing more.
    expect(await h.roadside.plan()).toEqual([]);
  });

  it('imports surveyed guardrails all or nothing, naming each bad row', async () => {
    const bad = await refusal(
      h.roadside.importInventory(
        [
          { segmentId: 'w60-0', side: 'right', fromM: 0, toM: 60, status: 'present' },
          { segmentId: 'nowhere-1', side: 'right', fromM: 0, toM: 50, status: 'absent' },
          { segmentId: 'w60-0', side: 'left', fromM: 0, toM: 400, status: 'absent' },
          { segmentId: 'w60-0', side: 'right', fromM: 50, toM: 98, status: 'absent' },
          { segmentId: 'w60-0', side: 'up', fromM: 0, toM: 10, status: 'absent' },
        ],
        'admin-1',
      ),
    );
    expect(bad.code).toBe('INVENTORY_ROWS_INVALID');
    expect(bad.fields).toEqual([
      { field: 'rows.5.side', message: expect.stringMatching(/^row 5: /) },
      { field: 'rows.2.segmentId', message: 'row 2: no segment nowhere-1' },
      { field: 'rows.3.toM', message: expect.stringMatching(/^row 3: toM 400 lies beyond the end of w60-0 \(\d+(\.\d)? m\)$/) },
      { field: 'rows.4', message: 'row 4: overlaps row 1 on the right side of w60-0' },
    ]);
    expect((await inventory()).filter((r: { segment_id: string }) => r.segment_id === 'w60-0')).toEqual([]);

    const good = await h.roadside.importInventory(
      [
        { segmentId: 'w60-0', side: 'right', fromM: 0, toM: 40, status: 'present' },
        { segmentId: 'w60-0', side: 'right', fromM: 40, toM: 98, status: 'damaged' },
      ],
      'admin-1',
    );
    expect(good).toMatchObject({ rows: 2, sides: 1 });
    expect((await inventory()).filter((r: { segment_id: string }) => r.segment_id === 'w60-0')).toEqual([{ segment_id: 'w60-0', side: 'right', status: 'damaged', source: 'import' }]);
    // Damaged: works, not a survey.
    const [works] = good.opened.map(async (id) => h.queries.detail(id, principals.dispatcher));
    expect(await works).toMatchObject({ countermeasure: 'guardrail', side: 'right', segmentId: 'w60-0' });
  });

  it('verifying a guardrail stretch records the guardrail present on every member, for the risk service to re-score each', async () => {
    const imported = await h.roadside.importInventory(
      [0, 1, 2].map((i) => ({ segmentId: `w70-${i}`, side: 'right', fromM: 0, toM: 90, status: 'absent' })),
      'admin-1',
    );
    expect(imported.opened).toHaveLength(1);
    const works = await h.queries.detail(imported.opened[0], principals.dispatcher);
    expect(works).toMatchObject({ countermeasure: 'guardrail', side: 'right' });
    expect((await h.roadside.stretch(works.id, principals.dispatcher)).members.map((m) => m.segmentId)).toEqual(['w70-0', 'w70-1', 'w70-2']);

    const crew = principals.crew(works.crewId!);
    await h.commands.execute(works.id, crew, { action: 'accept' });
    await h.commands.execute(works.id, crew, { action: 'start' });
    const position = { lon: 1.5218, lat: 42.515, accuracyM: 6 };
    await h.commands.execute(works.id, crew, { action: 'submit', evidence: { photos: [photo], position, capturedAt: h.clock.now().toISOString() } });
    await h.commands.execute(works.id, principals.inspector, { action: 'verify' });

    const rows = await h.ds.query(`SELECT segment_id, side, status, source, task_id FROM roadside_inventory WHERE segment_id LIKE 'w70-%' ORDER BY segment_id, side`);
    expect(rows).toEqual(['w70-0', 'w70-1', 'w70-2'].map((segment_id) => ({ segment_id, side: 'right', status: 'present', source: 'verified_fix', task_id: works.id })));
    const changed: { value: { payload: { segmentId: string; sides: { side: string; status: string; source: string }[] } } }[] = await h.ds.query(
      `SELECT value FROM outbox WHERE topic = 'int.roadloop.roadside.inventory-changed.v1' AND value -> 'payload' ->> 'segmentId' LIKE 'w70-%' ORDER BY seq`,
    );
    expect(changed.slice(-3).map((e) => [e.value.payload.segmentId, e.value.payload.sides.map((s) => `${s.side} ${s.status} ${s.source}`)])).toEqual([
      ['w70-0', ['right present verified_fix']],
      ['w70-1', ['right present verified_fix']],
      ['w70-2', ['right present verified_fix']],
    ]);
    // The sides are guarded now: no new works are planned for them.
    expect(await h.roadside.plan()).toEqual([]);
  });

  it('imports surveyed guardrails drawn as GeoJSON lines, snapped to the segments they run along, all or nothing naming each bad feature', async () => {
    const feature = (coordinates: number[][], properties: Record<string, unknown>) => ({ type: 'Feature', geometry: { type: 'LineString', coordinates }, properties });
    const w80 = async () => h.ds.query(`SELECT segment_id, side, status, source FROM roadside_inventory WHERE segment_id LIKE 'w80-%' ORDER BY segment_id, side`);
    // About 9 m north of the road, from the middle of w80-0 to the middle of w80-2.
    const northLine = [[1.5206, 42.50008], [1.5218, 42.50008], [1.523, 42.50008]];
    const bad = await refusal(
      h.roadside.importGeoJson(
        [
          feature(northLine, { status: 'absent' }),
          feature([[1.6, 42.6], [1.601, 42.6]], { status: 'absent' }),
          feature(northLine, { status: 'gone' }),
          { type: 'Feature', geometry: { type: 'Point', coordinates: [1.52, 42.5] }, properties: { status: 'absent' } },
        ],
        'admin-1',
      ),
    );
    expect(bad.code).toBe('INVENTORY_ROWS_INVALID');
    expect(bad.fields.map((f) => f.field)).toEqual(['features.2.properties.status', 'features.3.geometry.type']);
    const far = await refusal(h.roadside.importGeoJson([feature(northLine, { status: 'absent' }), feature([[1.6, 42.6], [1.601, 42.6]], { status: 'absent' })], 'admin-1'));
    expect(far.fields).toEqual([{ field: 'features.1', message: 'feature 1: runs along no segment within 15 m' }]);
    // Two lines over the same part of the north side.
    const overlap = await refusal(
      h.roadside.importGeoJson([feature(northLine, { status: 'absent' }), feature([[1.5225, 42.50008], [1.5233, 42.50008]], { status: 'present', side: 'left' })], 'admin-1'),
    );
    expect(overlap.fields).toEqual([{ field: 'features.1', message: 'feature 1 (on w80-2): overlaps feature 0 (on w80-2) on the left side of w80-2' }]);
    expect(await w80()).toEqual([]);

    // The north line is the left side of all three; a line south of w80-0 without a side is its right side.
    const good = await h.roadside.importGeoJson(
      [feature(northLine, { status: 'absent', source: 'county survey 2026' }), feature([[1.52, 42.49992], [1.5212, 42.49992]], { status: 'present', observedAt: '2026-11-20T10:00:00Z' })],
      'admin-1',
    );
    expect(good).toMatchObject({ rows: 4, sides: 4 });
    expect(await w80()).toEqual([
      { segment_id: 'w80-0', side: 'left', status: 'absent', source: 'import' },
      { segment_id: 'w80-0', side: 'right', status: 'present', source: 'import' },
      { segment_id: 'w80-1', side: 'left', status: 'absent', source: 'import' },
      { segment_id: 'w80-2', side: 'left', status: 'absent', source: 'import' },
    ]);
  });
});
