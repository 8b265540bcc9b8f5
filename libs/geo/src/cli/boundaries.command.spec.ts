import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { andorraFile } from '../../test/andorra-data';
import { parseBoundariesArgs, runBoundaries } from './boundaries.command';
import { main } from './main';

const SMALL = resolve(__dirname, '../../test/boundaries/in/small.osm.xml');

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(argv: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runBoundaries(argv, { stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-boundaries-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('roadloop-geo boundaries', () => {
  it(
    'writes the FeatureCollection, warns about each problem and prints one summary line',
    withDir(async (dir) => {
      const out = join(dir, 'b.geojson');
      const r = await run(['--osm', SMALL, '--admin-level', '7,8', '--out', out]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(
        `wrote 4 boundaries (admin levels 7, 8) → ${out}; 2 not closed: Open Valley (r103), Missing Member (r105); 2 invalid: Bowtie (r104), Stray Hole (r108)\n`,
      );
      expect(r.err.split('\n').filter(Boolean)).toEqual([
        'roadloop-geo boundaries: warning: Open Valley (r103), admin level 7, not closed: its ways leave 1 open chain (n23…n22); cannot close it along an enclosing boundary: ' +
          'no boundary of a lower admin level in the extract runs through both n22 and n23; the gap runs from n22 at 1.010000,42.050000 to n23 at 1.010000,42.060000, 1.1 km apart',
        'roadloop-geo boundaries: warning: Bowtie (r104), admin level 7, invalid: ring self-intersection near 1.005000,42.105000',
        'roadloop-geo boundaries: warning: Missing Member (r105), admin level 7, not closed: 1 of 2 member ways missing from the extract; its ways leave 1 open chain (n1…n3); ' +
          'cannot close it along an enclosing boundary: no boundary of a lower admin level in the extract runs through both n3 and n1; the gap runs from n3 at 1.010000,42.010000 to n1 at 1.000000,42.000000, 1.4 km apart',
        'roadloop-geo boundaries: warning: Stray Hole (r108), admin level 7, invalid: inner ring near 1.020000,42.300000 lies outside every outer ring',
      ]);
      const fc = JSON.parse(readFileSync(out, 'utf8'));
      expect(fc.type).toBe('FeatureCollection');
      expect(fc.roadloop).toEqual({ adminLevels: [7, 8], attribution: 'Map data © OpenStreetMap contributors (ODbL)' });
      expect(fc.features.map((f: { properties: { id: string } }) => f.properties.id)).toEqual(['sol-square', 'ring-town', 'sol-square-r106', 'two-islands']);
      expect(readdirSync(dir)).toEqual(['b.geojson']);
    }),
  );

  it(
    'defaults to admin level 7 and, with no problems, prints no warning',
    withDir(async (dir) => {
      const out = join(dir, 'b.geojson');
      const r = await run(['--osm', SMALL, '--admin-level=6', `--out=${out}`]);
      expect(r).toEqual({ code: 0, out: `wrote 1 boundary (admin level 6) → ${out}\n`, err: '' });
      const d = await run(['--osm', SMALL, '--out', out]);
      expect(d.out).toMatch(/^wrote 2 boundaries \(admin level 7\) → /);
    }),
  );

  it(
    'exits 1 and writes nothing when no boundary closes',
    withDir(async (dir) => {
      const out = join(dir, 'b.geojson');
      const none = await run(['--osm', SMALL, '--admin-level', '2', '--out', out]);
      expect(none).toEqual({ code: 1, out: '', err: `roadloop-geo boundaries: error: no boundary of admin level 2 in ${SMALL}; nothing written\n` });
      const broken = await run(['--osm', andorraFile('andorra.osm.pbf'), '--admin-level', '8', '--out', out]);
      expect(broken.code).toBe(1);
      expect(broken.err).toMatch(/error: no boundary of admin level 8 in .* closes \(\d+ not closed: .*Porta \(r2084436\)/);
      expect(existsSync(out)).toBe(false);
      const missing = await run(['--osm', join(dir, 'none.osm'), '--out', out]);
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(/error INPUT_NOT_FOUND/);
    }),
  );

  it.each([
    [[], /--osm is required/],
    [['--osm', 'a.osm'], /--out is required/],
    [['--osm', 'a.osm', '--out', 'b', '--admin-level', 'seven'], /--admin-level takes whole numbers/],
    [['--osm', 'a.osm', '--out', 'b', '--admin-level', '7,'], /--admin-level takes whole numbers/],
    [['--osm', 'a.osm', '--out', 'b', '--level', '7'], /unknown argument "--level"/],
    [['--osm', 'a.osm', '--osm', 'b.osm', '--out', 'b'], /--osm is given twice/],
  ])('exits 2 on bad usage %j', async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/usage: roadloop-geo boundaries/);
  });

  it('parses levels into a sorted, de-duplicated list, and answers --help', async () => {
    expect(parseBoundariesArgs(['--osm', 'a', '--out', 'b', '--admin-level', '8, 7,8'])).toEqual({ osm: 'a', out: 'b', adminLevels: [7, 8] });
    expect(parseBoundariesArgs(['--help'])).toBe('help');
    const r = await run(['-h']);
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^usage: roadloop-geo boundaries/) });
  });

  it(
    'is dispatched by main and, on Andorra, writes the six parishes and names Canillo',
    withDir(async (dir) => {
      const out = join(dir, 'parishes.geojson');
      const r = await run(['--osm', andorraFile('andorra.osm.pbf'), '--out', out]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^wrote 6 boundaries \(admin level 7\) → .*; 6 not closed: .*Canillo \(r2804754\)/);
      expect(r.err).toMatch(/warning: Canillo \(r2804754\), admin level 7, not closed: 2 of 7 member ways missing from the extract/);
      const fc = JSON.parse(readFileSync(out, 'utf8'));
      for (const f of fc.features) {
        expect(f.properties.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
        expect(Object.keys(f.geometry).sort()).toEqual(['coordinates', 'type']);
      }
      const write = process.stdout.write;
      let printed = '';
      process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
      try {
        expect(await main(['boundaries', '--help'])).toBe(0);
        expect(await main(['--help'])).toBe(0);
      } finally {
        process.stdout.write = write;
      }
      expect(printed).toMatch(/^usage: roadloop-geo boundaries --osm/);
      expect(printed).toMatch(/\n {2}roadloop-geo boundaries --osm <file.osm.pbf\|.osm> \[--admin-level 7\[,8\]\] --out <file.geojson>/);
    }),
  );
});
