import { describe, expect, it } from '@jest/globals';
import type { LineString } from 'geojson';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { andorraFile } from '../../test/andorra-data';
import { TEST_ROOT, expectGolden } from '../../test/golden';
import { parseScoreArgs, runScore } from './score.command';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const SMALL = `<?xml version="1.0"?><osm version="0.6">
  <node id="1" lat="42.5063" lon="1.5218"/><node id="2" lat="42.5063" lon="1.5245"/><node id="3" lat="42.5080" lon="1.5260"/>
  <node id="4" lat="42.5066" lon="1.5200"/><node id="5" lat="42.5066" lon="1.5270"/>
  <way id="7"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="secondary"/><tag k="name" v="Carrer &amp; Co"/></way>
  <way id="8"><nd ref="4"/><nd ref="5"/><tag k="waterway" v="river"/></way></osm>`;

async function run(argv: string[], tty = false) {
  const stdout = new Capture();
  const stderr = new Capture(tty);
  const code = await runScore(argv, { stdout, stderr: stderr as unknown as NodeJS.WriteStream });
  return { code, out: stdout.text, err: stderr.text };
}

function withDir(fn: (dir: string, osm: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-cli-'));
    try {
      const osm = join(dir, 'small.osm');
      writeFileSync(osm, SMALL);
      await fn(dir, osm);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('roadloop-geo score', () => {
  it(
    'writes a GeoJSON FeatureCollection of scored segments and a one-line summary, quietly off a terminal',
    withDir(async (dir, osm) => {
      const out = join(dir, 'out.geojson');
      const r = await run(['--osm', osm, '--dem', andorraFile('N42E001.hgt'), '--out', out, '--max-segment-m=50']);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(/^scored \d+ segments \(1 ways, 0\.\d km\) → .*: \d+ water-side, \d+ cliff-side, 0 with unknown terrain; \d+\.\d\d s\n$/);
      const fc = JSON.parse(readFileSync(out, 'utf8'));
      expect(fc.type).toBe('FeatureCollection');
      expect(fc.roadloop.configVersion).toBe('1.1.0+custom');
      expect(fc.roadloop.attribution).toMatch(/OpenStreetMap contributors/);
      expect(fc.features.length).toBeGreaterThanOrEqual(8);
      const p = fc.features[0].properties;
      expect(p).toMatchObject({ id: 'w7-0', osmWayId: 7, index: 0, roadClass: 'secondary', name: 'Carrer & Co', waterSide: 'left', waterType: 'river' }); // the river runs 33 m north of the eastbound road
      for (const key of ['lengthM', 'waterDistanceM', 'dropLeftM', 'dropRightM', 'cliffSide', 'curvatureRadiusM', 'curvatureClass', 'gradePct', 'guardrail', 'bridge', 'tunnel', 'exposureScore', 'exposureLevel', 'factors']) {
        expect(p).toHaveProperty(key);
      }
      expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    }),
  );

  it(
    'draws a progress bar on a terminal',
    withDir(async (dir, osm) => {
      const r = await run(['--osm', osm, '--dem', andorraFile('N42E001.hgt'), '--out', join(dir, 'o.geojson')], true);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/scoring \[#+\] 100%/);
    }),
  );

  it(
    'says so when terrain is unknown, without failing',
    withDir(async (dir, osm) => {
      const r = await run(['--osm', osm, '--out', join(dir, 'o.geojson')]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/terrain unknown \(no elevation data\)/);
      expect(r.err).toMatch(/warning: no elevation model/);
    }),
  );

  it.each([
    [['--dem', 'x.hgt', '--out', 'o.geojson'], /--osm is required/],
    [['--osm', 'a.osm'], /--out is required/],
    [['--osm', 'a.osm', '--out', 'o', '--max-segment-m', '-5'], /--max-segment-m must be a positive number/],
    [['--osm', 'a.osm', '--out', 'o', '--fast'], /unknown argument "--fast"/],
    [['--osm'], /--osm needs a value/],
  ])('exits 2 on bad usage %j', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error ARGUMENT_INVALID/);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/usage:/);
  });

  it(
    'exits 1 with the error code for input it cannot use, and leaves no output behind',
    withDir(async (dir, osm) => {
      const notOsm = join(dir, 'x.osm.pbf');
      writeFileSync(notOsm, 'garbage');
      const out = join(dir, 'o.geojson');
      let r = await run(['--osm', notOsm, '--out', out]);
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/error OSM_INVALID: .*x\.osm\.pbf/)]);
      r = await run(['--osm', join(dir, 'missing.osm'), '--out', out]);
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/error INPUT_NOT_FOUND/)]);
      r = await run(['--osm', osm, '--dem', join(dir, 'missing.hgt'), '--out', out]);
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/error DEM_NOT_FOUND/)]);
      r = await run(['--osm', osm, '--out', join(dir, 'no-such-dir', 'o.geojson')]);
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/error OUTPUT_FAILED/)]);
      expect(existsSync(out)).toBe(false);
    }),
  );

  it(
    'reads the sea from natural=coastline: a bay over two ways, a coast cut at the extract\'s edge, a pier, an island (golden)',
    withDir(async (dir) => {
      const osm = join(TEST_ROOT, 'water/in/coast.osm.xml');
      const out = join(dir, 'coast.geojson');
      const r = await run(['--osm', osm, '--out', out]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^scored 6 segments \(4 ways, 0\.\d km\) → .*: 5 water-side, 0 cliff-side/);
      expect(r.err).toMatch(/warning: 1 segments lie on the sea side of a coastline/);
      const fc = JSON.parse(readFileSync(out, 'utf8')) as { features: { properties: Record<string, unknown>; geometry: unknown }[] };
      const water = fc.features.map((f) => ({
        type: 'Feature' as const,
        properties: Object.fromEntries(['id', 'name', 'waterDistanceM', 'waterSide', 'waterType', 'waterLeftM', 'waterRightM'].map((k) => [k, f.properties[k]])),
        geometry: f.geometry as LineString,
      }));
      // Hand-computed (the file's comments): metres and sides of each segment, in order.
      expect(water.map((f) => [f.properties.id, f.properties.waterDistanceM, f.properties.waterSide, f.properties.waterType])).toEqual([
        ['w101-0', expect.closeTo(18.03, 1), 'right', 'sea'],
        ['w102-0', expect.closeTo(12, 1), 'right', 'sea'],
        ['w102-1', expect.closeTo(40.8, 1), 'right', 'sea'],
        ['w103-0', 0, 'crossing', 'sea'],
        ['w103-1', 0, 'crossing', 'sea'],
        ['w104-0', expect.closeTo(18.03, 1), 'left', 'sea'],
      ]);
      const outPath = join(TEST_ROOT, 'water/out/coast.osm.geojson');
      expectGolden({ name: 'coast.osm', input: { type: 'FeatureCollection', features: [] }, params: {}, outPath }, { type: 'FeatureCollection', features: water });
    }),
  );

  it('prints its usage for --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usage: roadloop-geo score/);
    expect(parseScoreArgs(['--osm=a', '--out=b'])).toEqual({ osm: 'a', out: 'b', dem: null, config: null });
  });
});
