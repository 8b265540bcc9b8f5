import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extractBoundaries } from './boundary-extractor';

const DIR = resolve(__dirname, '../../test/boundaries');
const SMALL = join(DIR, 'in/small.osm.xml');
const EDGE = join(DIR, 'in/edge.osm.xml');

/** Compares with test/boundaries/out/<name>.geojson, or writes it when REGEN=1 (read the diff). */
function expectGolden(name: string, actual: unknown): void {
  const path = join(DIR, 'out', `${name}.geojson`);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.REGEN === '1') {
    mkdirSync(join(DIR, 'out'), { recursive: true });
    writeFileSync(path, text);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden ${path}: run with REGEN=1 and review it`);
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(path, 'utf8')));
}

describe('extractBoundaries on the hand-made fixture', () => {
  it('builds the closed relations of level 7 as hand-computed, and reports the others with their reason', async () => {
    const { collection, problems } = await extractBoundaries(SMALL, { adminLevels: [7] });
    expect(collection.features.map((f) => f.properties)).toEqual([
      { id: 'sol-square', name: 'Sòl Square', adminLevel: 7, osmRelationId: 101 },
      { id: 'ring-town', name: 'Ring Town', adminLevel: 7, osmRelationId: 102 },
    ]);
    // Two ways (one backwards) joined into one counter-clockwise ring.
    expect(collection.features[0].geometry).toEqual({
      type: 'Polygon',
      coordinates: [[[1, 42], [1.01, 42], [1.01, 42.01], [1, 42.01], [1, 42]]],
    });
    // A clockwise outer way turned counter-clockwise; the counter-clockwise hole turned clockwise.
    expect(collection.features[1].geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [[1.02, 42], [1.05, 42], [1.05, 42.03], [1.02, 42.03], [1.02, 42]],
        [[1.03, 42.01], [1.03, 42.02], [1.04, 42.02], [1.04, 42.01], [1.03, 42.01]],
      ],
    });
    expect(problems).toEqual([
      {
        osmRelationId: 103,
        name: 'Open Valley',
        adminLevel: 7,
        kind: 'not-closed',
        reason:
          'its ways leave 1 open chain (n23…n22); cannot close it along an enclosing boundary: no boundary of a lower admin level in the extract ' +
          'runs through both n22 and n23; the gap runs from n22 at 1.010000,42.050000 to n23 at 1.010000,42.060000, 1.1 km apart',
      },
      { osmRelationId: 104, name: 'Bowtie', adminLevel: 7, kind: 'invalid', reason: 'ring self-intersection near 1.005000,42.105000' },
      {
        osmRelationId: 105,
        name: 'Missing Member',
        adminLevel: 7,
        kind: 'not-closed',
        reason:
          '1 of 2 member ways missing from the extract; its ways leave 1 open chain (n1…n3); cannot close it along an enclosing boundary: ' +
          'no boundary of a lower admin level in the extract runs through both n3 and n1; the gap runs from n3 at 1.010000,42.010000 to n1 at 1.000000,42.000000, 1.4 km apart',
      },
      { osmRelationId: 108, name: 'Stray Hole', adminLevel: 7, kind: 'invalid', reason: 'inner ring near 1.020000,42.300000 lies outside every outer ring' },
    ]);
  });

  it('keeps ids unique across levels and makes a MultiPolygon of separate outer rings (golden)', async () => {
    const { collection, problems } = await extractBoundaries(SMALL, { adminLevels: [7, 8] });
    expect(collection.features.map((f) => [f.properties.id, f.geometry.type])).toEqual([
      ['sol-square', 'Polygon'],
      ['ring-town', 'Polygon'],
      ['sol-square-r106', 'Polygon'],
      ['two-islands', 'MultiPolygon'],
    ]);
    for (const f of collection.features) expect(f.id).toBe(f.properties.id);
    expect(problems.map((p) => p.osmRelationId)).toEqual([103, 104, 105, 108]);
    expectGolden('small', { ...collection, properties: { adminLevels: [7, 8], problems } });
  });

  it('takes nothing of other levels, border lines (type=multilinestring) or non-administrative boundaries', async () => {
    const six = await extractBoundaries(SMALL, { adminLevels: [6] });
    expect(six.collection.features.map((f) => f.properties.name)).toEqual(['County']);
    const none = await extractBoundaries(SMALL, { adminLevels: [2] });
    expect(none.collection.features).toEqual([]);
    expect(none.problems).toEqual([]);
  });

  it('rejects admin levels that are not whole numbers, and a missing file', async () => {
    await expect(extractBoundaries(SMALL, { adminLevels: [] })).rejects.toMatchObject({ code: 'ARGUMENT_INVALID' });
    await expect(extractBoundaries(SMALL, { adminLevels: [7.5] })).rejects.toMatchObject({ code: 'ARGUMENT_INVALID' });
    await expect(extractBoundaries(join(DIR, 'in/none.osm'), { adminLevels: [7] })).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
  });
});

describe('extractBoundaries: an area broken at the extract\'s edge', () => {
  it('closes a one-gap ring along the enclosing boundary that passes through both ends, and names it', async () => {
    const { collection, problems } = await extractBoundaries(EDGE, { adminLevels: [7] });
    expect(collection.features.map((f) => f.properties)).toEqual([
      { id: 'west', name: 'West', adminLevel: 7, osmRelationId: 301 },
      { id: 'east', name: 'East', adminLevel: 7, osmRelationId: 302, closedAlong: 'Edge Land (r300, admin level 2)' },
    ]);
    // The chain 203 → 202 → 209 → 207 → 206 closed by the country's arc 206 → 205 → 204 → 203 (the other
    // way round would cover West and touch itself), counter-clockwise.
    expect(collection.features[1].geometry).toEqual({
      type: 'Polygon',
      coordinates: [[[1.03, 42], [1.04, 42], [1.04, 42.02], [1.03, 42.02], [1.02, 42.02], [1.021, 42.01], [1.02, 42], [1.03, 42]]],
    });
    expect(problems).toEqual([
      {
        osmRelationId: 303,
        name: 'Far',
        adminLevel: 7,
        kind: 'not-closed',
        reason:
          'its ways leave 1 open chain (n211…n213); cannot close it along an enclosing boundary: no boundary of a lower admin level in the extract ' +
          'runs through both n213 and n211; the gap runs from n213 at 1.010000,42.060000 to n211 at 1.000000,42.050000, 1.4 km apart',
      },
    ]);
  });

  it('closes along a level asked for too (a neighbour never closes it: see the French communes on Andorra)', async () => {
    const { collection, problems } = await extractBoundaries(EDGE, { adminLevels: [2, 7] });
    expect(collection.features.map((f) => [f.properties.id, f.properties.closedAlong])).toEqual([
      ['edge-land', undefined],
      ['west', undefined],
      ['east', 'Edge Land (r300, admin level 2)'],
    ]);
    expect(problems.map((p) => p.osmRelationId)).toEqual([303]);
  });
});

