import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { extractBoundaries, scoreFiles } from '@roadloop/geo';
import { Harness, openHarness, profileEvent } from '../testing/harness';
import { STRETCH_TASKS_PER_TRANSACTION } from './roadside.service';

jest.setTimeout(600_000);

const DATA = process.env.ROADLOOP_DATA_DIR ?? resolve(__dirname, '../../../../../shared/data/andorra');
const file = (name: string) => {
  const path = resolve(DATA, name);
  if (!existsSync(path)) throw new Error(`Andorra test data not found: ${path} (set ROADLOOP_DATA_DIR)`);
  return path;
};

/**
 * Andorra as `npm start` loads it — every segment's profile, then the parishes that close, one crew
 * each — through the task service's rules: what the mandatory-protection rule opens, and where it goes.
 */
describe('the roadside rule on Andorra', () => {
  let h: Harness;
  const WORKS = 20;
  const SURVEYS = 10;

  beforeAll(async () => {
    h = await openHarness('andorra', { DEFAULT_CREW_ID: 'andorra-la-vella-crew', CREW_WORKS_CAPACITY: String(WORKS), CREW_SURVEY_CAPACITY: String(SURVEYS) });
    const scored = await scoreFiles({ osmPath: file('andorra.osm.pbf'), demPath: file('N42E001.hgt') });
    for (const f of scored.segments.features) {
      const p = f.properties;
      await h.intake.onSegmentProfile(
        profileEvent(p.id, f.geometry.coordinates as [number, number][], {
          roadClass: p.roadClass,
          name: p.name ?? null,
          lengthM: p.lengthM,
          waterDistanceM: p.waterDistanceM,
          waterSide: p.waterSide,
          cliffSide: p.cliffSide,
          dropLeftM: p.dropLeftM,
          dropRightM: p.dropRightM,
          guardrail: p.guardrail,
          exposureScore: p.exposureScore,
          exposureLevel: p.exposureLevel,
        }),
      );
    }
    const { collection } = await extractBoundaries(file('andorra.osm.pbf'), { adminLevels: [7] });
    for (const j of collection.features) await h.areas.put(j.properties.id, j.properties.name, j.geometry as Parameters<typeof h.areas.put>[2], { reassignSegments: false });
    await h.areas.reassignSegments();
    for (const j of collection.features) await h.areas.putCrew(`${j.properties.id}-crew`, `${j.properties.name} road crew`, j.properties.id);
    await h.roadside.plan();
  });
  afterAll(async () => h.close());

  it('opens one survey per stretch of unknown roadside instead of a guardrail task per 100 m, and names why', async () => {
    const tasks: { countermeasure: string; rule: string; reason: string; members: number; length_m: number }[] = await h.ds.query(
      `SELECT t.countermeasure, t.rule, t.reason, jsonb_array_length(s.members) AS members, s.length_m
         FROM task t LEFT JOIN task_stretch s ON s.task_id = t.id`,
    );
    const surveys = tasks.filter((t) => t.countermeasure === 'roadside_survey');
    const km = surveys.reduce((s, t) => s + Number(t.length_m), 0) / 1000;
    const needs: { segments: number; sides: number }[] = await h.ds.query(`SELECT count(DISTINCT segment_id)::int AS segments, count(*)::int AS sides FROM roadside_need`);
    const covered: { n: number; distinct: number }[] = await h.ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT m->>'segmentId')::int AS distinct FROM task_stretch s, jsonb_array_elements(s.members) m`,
    );
    process.stdout.write(`Andorra: ${needs[0].segments} segments (${needs[0].sides} sides) need protection; ${surveys.length} survey stretches, ${km.toFixed(1)} km; ${tasks.length} tasks\n`);
    expect(tasks.filter((t) => t.countermeasure === 'guardrail')).toEqual([]);
    expect(covered[0].n).toBe(covered[0].distinct); // no segment in two surveys
    expect(covered[0].distinct).toBe(needs[0].segments); // and every segment that needs one in one
    expect(surveys.length).toBeLessThan(needs[0].segments / 4);
    for (const t of tasks) {
      expect(t.rule).toBe('mandatory_protection');
      expect(t.reason).toMatch(/^mandatory protection: survey the roadside of \d+\.\d\d km of .+ \(\d+ segments\): .+guardrail (must|should) be set/);
    }
  });

  it('leaves no task unassigned and no crew with more released surveys than its capacity', async () => {
    const rows: { crew_id: string | null; released: number; queued: number }[] = await h.ds.query(
      `SELECT crew_id, count(*) FILTER (WHERE status <> 'created')::int AS released, count(*) FILTER (WHERE status = 'created')::int AS queued
         FROM task WHERE status NOT IN ('verified', 'cancelled', 'duplicate', 'unable_to_fix') GROUP BY crew_id ORDER BY crew_id`,
    );
    process.stdout.write(`Andorra crews: ${rows.map((r) => `${r.crew_id} ${r.released} released, ${r.queued} queued`).join('; ')}\n`);
    expect(rows.every((r) => r.crew_id !== null)).toBe(true);
    expect(rows.length).toBe(6);
    for (const r of rows) expect(r.released).toBeLessThanOrEqual(SURVEYS);
  });

  it('opens them a few per transaction, so the crews\' queues are never held for the whole plan', async () => {
    // Rows written by one transaction share its id (xmin): no transaction wrote more stretch tasks than a round allows.
    const rounds: { n: number }[] = await h.ds.query(
      `SELECT count(*)::int AS n FROM task t JOIN task_stretch s ON s.task_id = t.id GROUP BY t.xmin::text`,
    );
    const total = rounds.reduce((sum, r) => sum + r.n, 0);
    expect(total).toBeGreaterThan(STRETCH_TASKS_PER_TRANSACTION);
    expect(Math.max(...rounds.map((r) => r.n))).toBeLessThanOrEqual(STRETCH_TASKS_PER_TRANSACTION);
  });
});
