/**
 * Real-data checks on the Andorra extract and SRTM tile: facts that can be checked against the
 * data's README, the independent PostGIS reference, and the map — not snapshots.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { andorraFile } from '../test/andorra-data';
import { WaterIndex, waterDistanceOfLine } from './attributes/water.attribute';
import { scoreFiles, type ScoreResult, type SegmentProperties } from './engine';
import { lineLengthM } from './geometry/ruler';
import { extractNetwork } from './osm/network-extractor';
import type { RoadNetwork } from './osm/network.types';
import { FACTOR_NAMES } from './score/exposure-score';
import { pieceCount } from './segment/segment-way';

interface Piece {
  wayId: number;
  start: [number, number];
  end: [number, number];
  distM: number;
}

function readReference(): Piece[] {
  const [header, ...rows] = readFileSync(andorraFile('reference/water-distance-postgis.csv'), 'utf8').trim().split('\n');
  expect(header).toBe('osm_way_id,segment_index,start_lon,start_lat,end_lon,end_lat,dist_to_water_m');
  return rows.map((r) => {
    const v = r.split(',').map(Number);
    return { wayId: v[0], start: [v[2], v[3]], end: [v[4], v[5]], distM: v[6] };
  });
}

/** The tolerance: 1 m or 1 %, whichever is larger. */
const tolerance = (d: number) => Math.max(1, 0.01 * d);

let result: ScoreResult;
let props: SegmentProperties[];
let network: RoadNetwork;
let reference: Piece[];

beforeAll(async () => {
  result = await scoreFiles({ osmPath: andorraFile('andorra.osm.pbf'), demPath: andorraFile('N42E001.hgt') });
  props = result.segments.features.map((f) => f.properties);
  network = (await extractNetwork(andorraFile('andorra.osm.pbf'))).network;
  reference = readReference();
}, 60_000);

describe('Andorra: segmentation', () => {
  it('cuts every way into ceil(L / 100 m) pieces, by class, adding up to 531.6 km', () => {
    const expected: Record<string, number> = {};
    for (const w of network.roads) for (const l of w.lines) expected[w.roadClass] = (expected[w.roadClass] ?? 0) + pieceCount(lineLengthM(l), 100);
    expect(result.summary.byClass).toEqual(expected);
    expect(result.summary.segments).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(result.summary.roadWays).toBe(1325);
    expect(result.summary.lengthKm).toBeCloseTo(531.6, 0);
    expect(Math.max(...props.map((p) => p.lengthM))).toBeLessThanOrEqual(100);
    expect(new Set(props.map((p) => p.id)).size).toBe(props.length);
  });
});

describe('Andorra: water distance against PostGIS ST_Distance on geography', () => {
  it('agrees within 1 m or 1 % on all 22,300 reference pieces', () => {
    expect(reference).toHaveLength(22300);
    const index = WaterIndex.build(network.waterLines, network.waterAreas);
    const radius = 1000;
    const off: string[] = [];
    const distances: number[] = [];
    for (const p of reference) {
      const mine = waterDistanceOfLine(index, [p.start, p.end], radius);
      if (mine === null) {
        // Beyond the radius: the reference must be too (within tolerance of the edge).
        if (p.distM < radius - tolerance(radius)) off.push(`${p.wayId}: null vs ${p.distM}`);
        continue;
      }
      distances.push(mine);
      if (Math.abs(mine - p.distM) > tolerance(p.distM)) off.push(`${p.wayId} ${p.start}: ${mine.toFixed(2)} vs ${p.distM}`);
    }
    expect(off).toEqual([]);
    expect(distances.length).toBeGreaterThan(16000);
    // The reference's own counts (README) come out the same from our distances.
    const within = (m: number) => distances.filter((d) => d <= m).length;
    expect(Math.abs(within(20) - 1983)).toBeLessThanOrEqual(5);
    expect(Math.abs(within(50) - 4038)).toBeLessThanOrEqual(5);
    expect(Math.abs(within(100) - 6125)).toBeLessThanOrEqual(5);
    expect(distances.filter((d) => d === 0).length).toBe(167);
  }, 60_000);

  it('gives every way the same nearest water distance as the reference pieces of that way (original vertices)', () => {
    const refMin = new Map<number, number>();
    for (const p of reference) refMin.set(p.wayId, Math.min(refMin.get(p.wayId) ?? Infinity, p.distM));
    const mine = new Map<number, number>();
    for (const p of props) if (p.waterDistanceM !== null) mine.set(p.osmWayId, Math.min(mine.get(p.osmWayId) ?? Infinity, p.waterDistanceM));
    const off: string[] = [];
    let compared = 0;
    for (const [wayId, ref] of refMin) {
      if (ref > 450) continue; // the engine searches 500 m
      compared++;
      const got = mine.get(wayId);
      if (got === undefined || Math.abs(got - ref) > tolerance(ref) + 0.01) off.push(`w${wayId}: ${got} vs ${ref}`);
    }
    expect(off).toEqual([]);
    expect(compared).toBeGreaterThan(700);
  });
});

describe('Andorra: what the map shows', () => {
  it('finds the CG-1 beside the Gran Valira for most of its length, on the river side', () => {
    const cg1 = props.filter((p) => p.ref === 'CG-1');
    const beside = cg1.filter((p) => p.waterDistanceM !== null && p.waterDistanceM <= 30);
    expect(beside.length / cg1.length).toBeGreaterThan(0.5);
    // The nearest water along it is the Valira (its line or its unnamed river-area polygons).
    expect(beside.every((p) => p.waterName === null || /Valira/.test(p.waterName))).toBe(true);
    expect(beside.filter((p) => p.waterName !== null && /Valira/.test(p.waterName)).length).toBeGreaterThan(30);
    expect(beside.every((p) => ['river', 'riverbank'].includes(p.waterType!))).toBe(true);
    // Water-side segments carry a water factor unless they are in tunnels.
    expect(beside.filter((p) => !p.tunnel && p.waterDistanceM! <= 10).every((p) => p.factors.water > 0)).toBe(true);
  });

  it('climbs the CG-2 to the Port d’Envalira (2,408 m) through hairpins and steep grades', () => {
    const cg2 = props.filter((p) => p.ref === 'CG-2');
    const top = Math.max(...cg2.map((p) => p.elevationM ?? -Infinity));
    expect(top).toBeGreaterThan(2350); // a 3″ grid flattens the pass a little
    expect(top).toBeLessThan(2450);
    const high = cg2.filter((p) => (p.elevationM ?? 0) >= 2000 && !p.tunnel);
    expect(high.filter((p) => p.curvatureClass === 'very_sharp').length).toBeGreaterThanOrEqual(10);
    expect(high.filter((p) => p.gradeClass === 'steep' || p.gradeClass === 'very_steep').length).toBeGreaterThanOrEqual(20);
    // Those sections rank above the CG-2's straight, gentle stretches.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const risky = high.filter((p) => p.curvatureClass === 'very_sharp' && p.gradeClass !== 'gentle');
    const easy = cg2.filter((p) => p.curvatureClass === 'straight' && p.gradeClass === 'gentle' && p.waterDistanceM !== null && p.waterDistanceM > 50);
    expect(mean(risky.map((p) => p.exposureScore))).toBeGreaterThan(2 * mean(easy.map((p) => p.exposureScore)));
  });

  it('treats the Envalira tunnel as a tunnel: level-ish deck, nothing beside it', () => {
    const tunnel = props.filter((p) => p.name === "Túnel d'Envalira");
    expect(tunnel.length).toBeGreaterThan(20); // 2.9 km
    for (const p of tunnel) {
      expect(p.tunnel).toBe(true);
      expect(Math.abs(p.gradePct!)).toBeLessThan(3);
      expect([p.dropLeftM, p.dropRightM, p.cliffSide]).toEqual([0, 0, null]);
      expect(p.factors.water + p.factors.dropOff + p.factors.cliff).toBe(0);
    }
  });

  it('sees bridges over the rivers as crossing water', () => {
    const bridgesOnWater = props.filter((p) => p.bridge && p.waterSide === 'crossing');
    expect(bridgesOnWater.length).toBeGreaterThanOrEqual(30);
    expect(bridgesOnWater.every((p) => p.waterDistanceM === 0)).toBe(true);
  });
});

describe('Andorra: honesty of every segment', () => {
  it('explains every score by its factors, exactly, and never goes negative', () => {
    const unexplained = props.filter((p) => FACTOR_NAMES.reduce((s, f) => s + Math.round(p.factors[f] * 100), 0) !== Math.round(p.exposureScore * 100));
    expect(unexplained).toEqual([]);
    expect(props.filter((p) => !(p.exposureScore >= 0))).toEqual([]);
    const byLevel = Object.values(result.summary.byLevel).reduce((a, b) => a + b, 0);
    expect(byLevel).toBe(props.length);
  });

  it('marks unknown terrain as null, never 0, and counts it in the summary', () => {
    const unknown = props.filter((p) => p.unknown.length > 0);
    expect(unknown.length).toBe(result.summary.unknownTerrain);
    expect(unknown.length / props.length).toBeLessThan(0.02);
    for (const p of unknown) {
      if (p.unknown.includes('grade')) expect(p.gradePct).toBeNull();
      if (p.unknown.includes('dropOff')) expect(p.dropLeftM === null || p.dropRightM === null).toBe(true);
    }
    expect(props.filter((p) => p.gradePct === null).every((p) => p.unknown.includes('grade'))).toBe(true);
  });

  it('reports summary counts that match the segments', () => {
    const s = result.summary;
    expect(s.waterSide).toBe(props.filter((p) => !p.tunnel && p.waterDistanceM !== null && p.waterDistanceM <= 30).length);
    expect(s.cliffSide).toBe(props.filter((p) => p.cliffSide !== null).length);
    expect(s.terrainAvailable).toBe(true);
    expect(s.configVersion).toBe('1.1.0');
  });
});
