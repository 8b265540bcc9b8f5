import { describe, expect, it } from '@jest/globals';
import { area, booleanPointInPolygon, featureCollection, intersect, kinks, point } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { andorraFile } from '../../test/andorra-data';
import { extractBoundaries, type ExtractBoundariesResult } from './boundary-extractor';

const PARISHES = ['Andorra la Vella', 'Encamp', 'Escaldes-Engordany', 'La Massana', 'Ordino', 'Sant Julià de Lòria'];

/** Town centres (lon, lat), checked against the parish polygons of this extract. */
const CAPITALS: [string, [number, number]][] = [
  ['Encamp', [1.5806, 42.5347]],
  ['Ordino', [1.5331, 42.5558]],
  ['Andorra la Vella', [1.5218, 42.5063]],
  ['Sant Julià de Lòria', [1.4906, 42.4633]],
  ['La Massana', [1.515, 42.545]],
  ['Escaldes-Engordany', [1.54, 42.51]],
];

describe('extractBoundaries on Andorra (admin_level 7)', () => {
  let result: ExtractBoundariesResult;
  const load = async () => (result ??= await extractBoundaries(andorraFile('andorra.osm.pbf'), { adminLevels: [7] }));

  it('closes exactly the six parishes other than Canillo, with slug ids', async () => {
    const { collection } = await load();
    expect(collection.features.map((f) => f.properties.name).sort()).toEqual(PARISHES);
    expect(collection.features.map((f) => f.properties.id).sort()).toEqual([
      'andorra-la-vella',
      'encamp',
      'escaldes-engordany',
      'la-massana',
      'ordino',
      'sant-julia-de-loria',
    ]);
    for (const f of collection.features) {
      expect(f.properties.adminLevel).toBe(7);
      expect(f.geometry.type).toBe('Polygon');
      expect(kinks(f as Feature<Polygon>).features).toHaveLength(0);
    }
  });

  it('reports Canillo as not closed (members missing) instead of dropping or inventing it', async () => {
    const { problems, collection } = await load();
    const canillo = problems.find((p) => p.name === 'Canillo');
    expect(canillo).toMatchObject({ osmRelationId: 2804754, adminLevel: 7, kind: 'not-closed' });
    expect(canillo!.reason).toMatch(/^2 of 7 member ways missing from the extract; its ways leave 1 open chain/);
    // Its border with France lies beyond the extract's edge, and so does Andorra's own: nothing to close it along.
    expect(canillo!.reason).toContain(
      'cannot close it along an enclosing boundary: the enclosing Andorra (r9407, admin level 2) is broken at the same place (its ways leave n45173478…n45173378)',
    );
    expect(canillo!.reason).toContain('the gap runs from n45173378 at 1.786384,42.573972 to n45173478 at 1.738923,42.555161, 4.4 km apart');
    expect(collection.features.some((f) => f.properties.name === 'Canillo')).toBe(false);
    // The other level-7 relations here (French arrondissements, Catalan comarques) only touch the extract.
    expect(problems.map((p) => p.name).sort()).toEqual(['Alt Urgell', 'Canillo', 'Cerdanya', 'Foix', 'Pallars Sobirà', 'Prades']);
    expect(problems.every((p) => p.kind === 'not-closed')).toBe(true);
  });

  it('puts each capital in its own parish and in no other', async () => {
    const { collection } = await load();
    for (const [name, lonLat] of CAPITALS) {
      const holders = collection.features.filter((f) => booleanPointInPolygon(point(lonLat), f as Feature<Polygon | MultiPolygon>)).map((f) => f.properties.name);
      expect({ name, holders }).toEqual({ name, holders: [name] });
    }
  });

  it('gives parishes of plausible size that do not overlap', async () => {
    const { collection } = await load();
    const km2 = (f: Feature<Polygon | MultiPolygon>) => area(f) / 1e6;
    const total = collection.features.reduce((s, f) => s + km2(f), 0);
    expect(total).toBeGreaterThan(330); // Andorra is 468 km², Canillo ~121 km² of it
    expect(total).toBeLessThan(370);
    for (const f of collection.features) expect(km2(f)).toBeGreaterThan(20);
    const features = collection.features;
    for (let i = 0; i < features.length; i++) {
      for (let j = i + 1; j < features.length; j++) {
        const shared = intersect(featureCollection([features[i], features[j]] as Feature<Polygon>[]));
        const m2 = shared ? area(shared) : 0;
        // Neighbours share their border ways, so at most slivers (measured: none at all).
        expect({ pair: `${features[i].properties.id}/${features[j].properties.id}`, small: m2 < 1000 }).toEqual({
          pair: `${features[i].properties.id}/${features[j].properties.id}`,
          small: true,
        });
      }
    }
  });

  it('reports every French commune of admin_level 8, none of which closes in this extract', async () => {
    const { collection, problems } = await extractBoundaries(andorraFile('andorra.osm.pbf'), { adminLevels: [8] });
    expect(collection.features).toEqual([]);
    expect(problems.length).toBeGreaterThanOrEqual(8);
    expect(problems.map((p) => p.name)).toEqual(expect.arrayContaining(["L'Hospitalet-près-l'Andorre", 'Porta', 'Mérens-les-Vals']));
  });
});
