import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Feature, FeatureCollection } from 'geojson';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticTile } from '../test/synthetic-terrain';
import { HgtTileSet } from './dem/elevation-model';
import { scoreFiles, scoreNetwork, type SegmentProperties } from './engine';
import { LocalFrame } from './geometry/planar';
import { lineLengthM, type LonLat } from './geometry/ruler';
import { networkFromGeoJson } from './osm/geojson-network';
import { FACTOR_NAMES } from './score/exposure-score';
import { DEFAULT_SCORE_CONFIG, resolveScoreConfig } from './score/score.config';

const frame = new LocalFrame(1.5, 42.5);
const at = (x: number, y: number): [number, number] => [frame.lon(x), frame.lat(y)];
const line = (pts: [number, number][], props: Record<string, unknown>): Feature => ({
  type: 'Feature',
  properties: props,
  geometry: { type: 'LineString', coordinates: pts.map(([x, y]) => at(x, y)) },
});

const REQUIRED: (keyof SegmentProperties)[] = [
  'id',
  'osmWayId',
  'index',
  'lengthM',
  'roadClass',
  'name',
  'waterDistanceM',
  'waterSide',
  'dropLeftM',
  'dropRightM',
  'cliffSide',
  'curvatureRadiusM',
  'curvatureClass',
  'gradePct',
  'guardrail',
  'bridge',
  'tunnel',
  'exposureScore',
  'exposureLevel',
  'factors',
];

const valley: FeatureCollection = {
  type: 'FeatureCollection',
  features: [
    line([[-1000, 0], [1000, 0]], { osmId: 1, waterway: 'river', name: 'Riu' }),
    line([[-300, 8], [300, 8]], { osmId: 10, highway: 'primary', name: 'Carretera', ref: 'CG-9', maxspeed: '50' }),
    line([[0, 60], [0, -60]], { osmId: 11, highway: 'secondary', bridge: 'yes' }),
    line([[-300, 300], [300, 300]], { osmId: 12, highway: 'primary', tunnel: 'yes' }),
  ],
};

describe('scoreNetwork', () => {
  const network = networkFromGeoJson(valley);
  const dem = HgtTileSet.fromTiles([syntheticTile({ kind: 'plane', baseM: 1000, northPct: 20 }, { lon: 1.5, lat: 42.5 })]);
  const { segments, summary } = scoreNetwork({ network, dem });
  const byWay = (id: number) => segments.features.filter((f) => f.properties.osmWayId === id).map((f) => f.properties);

  it('writes every required property on every segment', () => {
    for (const f of segments.features) {
      expect(f.geometry.type).toBe('LineString');
      for (const key of REQUIRED) expect(f.properties).toHaveProperty(key);
    }
    expect(byWay(10)[0]).toMatchObject({ id: 'w10-0', name: 'Carretera', ref: 'CG-9', speedKmh: 50, speedSource: 'maxspeed' });
  });

  it('puts the river on the right of the eastbound road, 8 m off, and scores it', () => {
    for (const p of byWay(10)) {
      expect(p).toMatchObject({ waterSide: 'right', waterType: 'river', waterName: 'Riu', waterDistanceM: 8 });
      expect(p.factors.water).toBeGreaterThan(0);
    }
  });

  it('scores a bridge over the river as crossing water, softened by its parapets', () => {
    const bridge = byWay(11);
    expect(bridge.some((p) => p.waterSide === 'crossing')).toBe(true);
    for (const p of bridge) {
      expect(p.bridge).toBe(true);
      expect(p.guardrail).toEqual({ left: 0, right: 0 }); // none mapped
      if (p.factors.water + p.factors.dropOff > 0) expect(p.factors.guardrail).toBeLessThan(0);
    }
    const noParapets = scoreNetwork({ network, dem, config: resolveScoreConfig({ guardrail: { bridgesHaveParapets: false } }) });
    const plain = noParapets.segments.features.filter((f) => f.properties.osmWayId === 11).map((f) => f.properties.exposureScore);
    expect(plain.reduce((a, b) => a + b)).toBeGreaterThan(bridge.reduce((a, p) => a + p.exposureScore, 0));
  });

  it('keeps tunnels free of roadside exposure', () => {
    for (const p of byWay(12)) {
      expect(p).toMatchObject({ tunnel: true, dropLeftM: 0, dropRightM: 0, cliffSide: null });
      expect(p.factors.water + p.factors.dropOff + p.factors.cliff).toBe(0);
    }
  });

  it('summarises what it wrote', () => {
    expect(summary.segments).toBe(segments.features.length);
    expect(summary.roadWays).toBe(3);
    expect(summary.waterSide).toBe(segments.features.filter((f) => !f.properties.tunnel && f.properties.waterDistanceM! <= 30).length);
    expect(summary.bridges).toBe(byWay(11).length);
    expect(summary.tunnels).toBe(byWay(12).length);
    expect(summary.configVersion).toBe(DEFAULT_SCORE_CONFIG.version);
    expect(summary.unknownTerrain).toBe(0);
  });

  it('without elevation data makes terrain attributes null, never 0, and says so', () => {
    const r = scoreNetwork({ network });
    for (const f of r.segments.features.filter((s) => !s.properties.tunnel)) {
      expect([f.properties.dropLeftM, f.properties.dropRightM, f.properties.gradePct, f.properties.elevationM]).toEqual([null, null, null, null]);
      expect(f.properties.unknown).toEqual(['dropOff', 'grade']);
    }
    expect(r.summary.terrainAvailable).toBe(false);
    expect(r.summary.unknownTerrain).toBe(r.summary.segments);
    expect(r.summary.warnings.join('\n')).toMatch(/no elevation model/);
  });

  it('reports progress up to the total', () => {
    const calls: [number, number][] = [];
    scoreNetwork({ network, onProgress: (d, t) => void calls.push([d, t]) });
    expect(calls[calls.length - 1]).toEqual([summary.segments, summary.segments]);
  });

  it('keeps its invariants on random networks (property)', () => {
    const tiles = new Map<number, HgtTileSet>();
    const planeDem = (eastPct: number) => {
      if (!tiles.has(eastPct)) tiles.set(eastPct, HgtTileSet.fromTiles([syntheticTile({ kind: 'plane', baseM: 1500, eastPct }, { lon: 1.5, lat: 42.5 })]));
      return tiles.get(eastPct)!;
    };
    const pt = fc.tuple(fc.double({ min: -400, max: 400, noNaN: true }), fc.double({ min: -400, max: 400, noNaN: true }));
    const way = fc.record({
      pts: fc.array(pt, { minLength: 2, maxLength: 12 }),
      highway: fc.constantFrom('primary', 'track', 'residential'),
      bridge: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(way, { minLength: 1, maxLength: 4 }),
        fc.array(fc.array(pt, { minLength: 2, maxLength: 6 }), { maxLength: 3 }),
        fc.constantFrom(-60, 0, 25, 80),
        fc.double({ min: 10, max: 300, noNaN: true }),
        (ways, rivers, slope, maxSegmentM) => {
          const fcoll: FeatureCollection = {
            type: 'FeatureCollection',
            features: [
              ...ways.map((w, i) => line(w.pts, { osmId: i + 1, highway: w.highway, ...(w.bridge ? { bridge: 'yes' } : {}) })),
              ...rivers.map((r, i) => line(r, { osmId: 100 + i, waterway: 'stream' })),
            ],
          };
          const net = networkFromGeoJson(fcoll);
          const d = planeDem(slope);
          const { segments: segs } = scoreNetwork({ network: net, dem: d, config: resolveScoreConfig({ segmentation: { maxSegmentM } }) });
          for (const w of net.roads) {
            const mine = segs.features.filter((f) => f.properties.osmWayId === w.id);
            const total = w.lines.reduce((s, l) => s + lineLengthM(l as LonLat[]), 0);
            const sum = mine.reduce((s, f) => s + f.properties.lengthM, 0);
            expect(Math.abs(sum - total)).toBeLessThanOrEqual(0.005 * mine.length + 1e-6);
          }
          for (const { properties: p } of segs.features) {
            expect(p.lengthM).toBeLessThanOrEqual(Math.round(maxSegmentM * 100) / 100 + 0.005);
            expect(p.exposureScore).toBeGreaterThanOrEqual(0);
            expect(FACTOR_NAMES.reduce((s, f) => s + Math.round(p.factors[f] * 100), 0)).toBe(Math.round(p.exposureScore * 100));
            if (p.waterDistanceM !== null) expect(p.waterDistanceM).toBeGreaterThanOrEqual(0);
            for (const v of [p.dropLeftM, p.dropRightM]) if (v !== null) expect(v).toBeGreaterThanOrEqual(0);
            expect(p.guardrail.left).toBeGreaterThanOrEqual(0);
            expect(p.guardrail.right).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('scoreFiles on bad input', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'roadloop-engine-'));
  const SMALL = `<?xml version="1.0"?><osm version="0.6">
  <node id="1" lat="42.5" lon="1.5"/><node id="2" lat="42.5" lon="1.502"/><node id="3" lat="42.5005" lon="1.503"/>
  <way id="7"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="track"/></way></osm>`;

  it('fails with OSM_EMPTY for an extract without roads, unless asked to allow it', async () => {
    const dir = tmp();
    try {
      const file = join(dir, 'empty.osm');
      writeFileSync(file, '<osm version="0.6"><node id="1" lat="42.5" lon="1.5"/></osm>');
      await expect(scoreFiles({ osmPath: file })).rejects.toMatchObject({ code: 'OSM_EMPTY' });
      const r = await scoreFiles({ osmPath: file, allowEmpty: true });
      expect(r.summary.segments).toBe(0);
      expect(r.segments.features).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with DEM_NOT_FOUND for a missing elevation path', async () => {
    const dir = tmp();
    try {
      const file = join(dir, 'small.osm');
      writeFileSync(file, SMALL);
      await expect(scoreFiles({ osmPath: file, demPath: join(dir, 'nope.hgt') })).rejects.toMatchObject({ code: 'DEM_NOT_FOUND' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns a wrong-size tile or a tile elsewhere into unknown terrain, with the summary saying so', async () => {
    const dir = tmp();
    try {
      const file = join(dir, 'small.osm');
      writeFileSync(file, SMALL);
      const bad = join(dir, 'N42E001.hgt');
      writeFileSync(bad, Buffer.alloc(12345));
      const r1 = await scoreFiles({ osmPath: file, demPath: bad });
      expect(r1.summary.terrainAvailable).toBe(false);
      expect(r1.summary.unknownTerrain).toBe(r1.summary.segments);
      expect(r1.summary.warnings.join('\n')).toMatch(/wrong size/);
      expect(r1.segments.features.every((f) => f.properties.gradePct === null && f.properties.dropLeftM === null)).toBe(true);

      const elsewhere = join(dir, 'N10E010.hgt');
      writeFileSync(elsewhere, Buffer.alloc(2884802));
      const r2 = await scoreFiles({ osmPath: file, demPath: elsewhere });
      expect(r2.summary.terrainAvailable).toBe(true);
      expect(r2.summary.unknownTerrain).toBe(r2.summary.segments);
      expect(r2.summary.warnings.join('\n')).toMatch(/unknown terrain/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad maximum segment length and a bad configuration file', async () => {
    const dir = tmp();
    try {
      const file = join(dir, 'small.osm');
      writeFileSync(file, SMALL);
      await expect(scoreFiles({ osmPath: file, maxSegmentM: 0 })).rejects.toMatchObject({ code: 'ARGUMENT_INVALID' });
      const notJson = join(dir, 'c.json');
      writeFileSync(notJson, '{ water: ');
      await expect(scoreFiles({ osmPath: file, configPath: notJson })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      const badValue = join(dir, 'd.json');
      writeFileSync(badValue, JSON.stringify({ drop: { minDropM: 40 } }));
      await expect(scoreFiles({ osmPath: file, configPath: badValue })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      const good = join(dir, 'e.json');
      writeFileSync(good, JSON.stringify({ version: 'county-7', water: { besideMaxM: 50 } }));
      const r = await scoreFiles({ osmPath: file, configPath: good, maxSegmentM: 50 });
      expect(r.summary.configVersion).toBe('county-7');
      expect(r.summary.maxSegmentM).toBe(50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
