import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extractBoundaries } from './boundary-extractor';

const DIR = resolve(__dirname, '../../test/boundaries');
const SMALL = join(DIR, 'in/small.osm.xml');

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
      { osmRelationId: 103, name: 'Open Valley', adminLevel: 7, kind: 'not-closed', reason: 'its ways leave 1 open chain (n23…n22)' },
      { osmRelationId: 104, name: 'Bowtie', adminLevel: 7, kind: 'invalid', reason: 'ring self-intersection near 1.005000,42.105000' },
      {
        osmRelationId: 105,
        name: 'Missing Member',
        adminLevel: 7,
        kind: 'not-closed',
        reason: '1 of 2 member ways missing from the extract; its ways leave 1 open chain (n1…n3)',
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
