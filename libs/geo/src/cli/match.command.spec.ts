import { describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { metricScale } from '../geometry/ruler';
import { SegmentMatcher } from '../match/segment-matcher';
import { runMatch } from './match.command';

const LAT = 42.5;
const { kx, ky } = metricScale(LAT);
const east = (m: number): number => 1.5 + m / kx;
const north = (m: number): number => LAT + m / ky;

// Road "r1" runs 100 m east from (1.5, 42.5); road "r,2" runs 100 m east, 200 m further north.
const SEGMENTS = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { id: 'r1' }, geometry: { type: 'LineString', coordinates: [[1.5, LAT], [east(100), LAT]] } },
    { type: 'Feature', properties: { id: 'r,2' }, geometry: { type: 'LineString', coordinates: [[1.5, north(200)], [east(100), north(200)]] } },
  ],
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  out: string | undefined;
  dir: string;
}

/** Runs the command in a fresh temporary directory holding segments.geojson and points.csv. */
async function run(points: string, extraArgs: string[] = [], segments = SEGMENTS): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'roadloop-match-'));
  try {
    writeFileSync(join(dir, 'segments.geojson'), segments);
    writeFileSync(join(dir, 'points.csv'), points);
    let stdout = '';
    let stderr = '';
    const outPath = join(dir, 'out.csv');
    const code = await runMatch(
      ['--segments', join(dir, 'segments.geojson'), '--points', join(dir, 'points.csv'), '--out', outPath, ...extraArgs],
      { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } },
    );
    const leftovers = readdirSync(dir).filter((f) => f.includes('.partial-'));
    expect(leftovers).toEqual([]);
    return { code, stdout, stderr, out: existsSync(outPath) ? readFileSync(outPath, 'utf8') : undefined, dir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('roadloop-geo match', () => {
  it('writes one row per input row, in order, with empty fields when nothing is within tolerance', async () => {
    const points = ['lon,lat', `${east(30)},${north(10)}`, '1.7,42.7', `${east(50)},${north(195)}`, `${east(120)},${LAT}`, ''].join('\n');
    const result = await run(points);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const rows = result.out!.trimEnd().split('\n');
    expect(rows).toEqual([
      'lon,lat,segmentId,distanceM,offsetM',
      `${east(30)},${north(10)},r1,10.00,30.00`,
      '1.7,42.7,,,',
      `${east(50)},${north(195)},"r,2",5.00,50.00`,
      `${east(120)},${LAT},r1,20.00,100.00`,
    ]);
    expect(result.stdout).toMatch(/^roadloop-geo match: 4 rows, 3 matched, 1 unmatched .*tolerance 50 m.*\n$/);
  });

  it('applies --tolerance-m, in both spellings', async () => {
    const points = `lon,lat\n${east(30)},${north(10)}\n`;
    expect((await run(points, ['--tolerance-m', '9.99'])).out).toBe(`lon,lat,segmentId,distanceM,offsetM\n${east(30)},${north(10)},,,\n`);
    expect((await run(points, ['--tolerance-m=10.01'])).out).toContain(',r1,10.00,30.00');
  });

  it('accepts CRLF line endings, a BOM, quoted fields and blank lines', async () => {
    const result = await run(`\uFEFF"lon","lat"\r\n"1.5", "${LAT}"\r\n\r\n1.7,42.7\r\n`);
    expect(result.code).toBe(0);
    expect(result.out).toBe('lon,lat,segmentId,distanceM,offsetM\n1.5,42.5,r1,0.00,0.00\n1.7,42.7,,,\n');
  });

  it('reads quoted fields as RFC 4180 does: a header in quotes, doubled quotes, spaces around quotes', async () => {
    const result = await run(`"lon" , "lat"\n " 1.5 ","${LAT}"\r\n`);
    expect(result.code).toBe(0);
    expect(result.out).toBe(`lon,lat,segmentId,distanceM,offsetM\n1.5,${LAT},r1,0.00,0.00\n`);
  });

  it('writes what the in-process matcher answers, row for row', async () => {
    const segments = JSON.parse(SEGMENTS) as { features: { properties: { id: string }; geometry: { coordinates: [number, number][] } }[] };
    const matcher = SegmentMatcher.build(segments.features.map((f) => ({ id: f.properties.id, coordinates: f.geometry.coordinates })));
    const random = fc.sample(fc.tuple(fc.double({ min: 1.4995, max: 1.5018, noNaN: true }), fc.double({ min: 42.4995, max: 42.5025, noNaN: true })), {
      seed: 7,
      numRuns: 2000,
    });
    const texts = random.map(([lon, lat]) => [lon.toFixed(7), String(lat)]);
    const result = await run(`lon,lat\n${texts.map((t) => t.join(',')).join('\n')}\n`, ['--tolerance-m', '30']);
    expect(result.code).toBe(0);
    const expected = texts.map(([lon, lat]) => {
      const m = matcher.match(Number(lon), Number(lat), 30);
      return m === null ? `${lon},${lat},,,` : `${lon},${lat},${m.segmentId.includes(',') ? `"${m.segmentId}"` : m.segmentId},${m.distanceM.toFixed(2)},${m.offsetM.toFixed(2)}`;
    });
    expect(expected.filter((row) => !row.endsWith(',,,')).length).toBeGreaterThan(200);
    expect(result.out).toBe(`lon,lat,segmentId,distanceM,offsetM\n${expected.join('\n')}\n`);
  });

  it('streams a large file, keeping the order', async () => {
    const n = 20_000;
    const lines = ['lon,lat'];
    for (let i = 0; i < n; i++) lines.push(`${east(i % 100)},${north(i % 2 === 0 ? 3 : 203)}`);
    const result = await run(lines.join('\n'));
    expect(result.code).toBe(0);
    const rows = result.out!.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(n);
    rows.forEach((row, i) => {
      expect(row.startsWith(`${lines[i + 1]},`)).toBe(true);
      expect(row.split(',')[2]).toBe(i % 2 === 0 ? 'r1' : '"r');
    });
    expect(result.stdout).toContain(`${n} rows, ${n} matched, 0 unmatched`);
  });

  describe('invalid input fails the run with status 2, naming the line, and writes nothing', () => {
    it.each([
      ['a wrong header', 'lat,lon\n1.5,42.5\n', /points\.csv:1: expected the header "lon,lat"/],
      ['an extra header column', 'lon,lat,id\n1.5,42.5,7\n', /points\.csv:1: expected the header/],
      ['a missing column', 'lon,lat\n1.5,42.5\n1.5\n', /points\.csv:3: expected 2 columns \(lon,lat\), found 1/],
      ['a decimal comma in quotes', 'lon,lat\n1.5,42.5\n"1,5","42,5"\n', /points\.csv:3: lon "1,5" is not a number/],
      ['a quoted header', '"lon,lat"\n1.5,42.5\n', /points\.csv:1: expected the header "lon,lat"/],
      ['an unclosed quote', 'lon,lat\n1.5,42.5\n"1.5,42.5\n1.5,42.5\n', /points\.csv:3: a quoted field is not closed/],
      ['a quote inside a value', 'lon,lat\n1.5,4"2.5\n', /points\.csv:2: a quote inside a field/],
      ['a bad row after a multi-line quoted field, by its own line', 'lon,lat\n"1.5\nx",42.5\n1.5,42.5\n', /points\.csv:2: lon "1\.5\\nx" is not a number/],
      ['a bad latitude after blank lines and CRLF', 'lon,lat\r\n1.5,42.5\r\n\r\n\r\n1.5,95\r\n', /points\.csv:5: lat 95 is outside \[-90, 90\]/],
      ['an extra column', 'lon,lat\n1.5,42.5,3\n', /points\.csv:2: expected 2 columns/],
      ['a value that is not a number', 'lon,lat\n1.5,42.5\n1.5,abc\n', /points\.csv:3: lat "abc" is not a number/],
      ['NaN', 'lon,lat\nNaN,42.5\n', /points\.csv:2: lon "NaN" is not a number/],
      ['Infinity', 'lon,lat\n1.5,Infinity\n', /points\.csv:2: lat "Infinity" is not a number/],
      ['a hex number', 'lon,lat\n0x1,42.5\n', /points\.csv:2: lon "0x1" is not a number/],
      ['an empty field', 'lon,lat\n,42.5\n', /points\.csv:2: lon is empty/],
      ['a longitude out of range', 'lon,lat\n1.5,42.5\n\n200,42.5\n', /points\.csv:4: lon 200 is outside \[-180, 180\]/],
      ['a latitude out of range', 'lon,lat\n1.5,-91\n', /points\.csv:2: lat -91 is outside \[-90, 90\]/],
      ['an empty file', '', /points\.csv: the file is empty/],
    ])('%s', async (_name, points, message) => {
      const result = await run(points);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.out).toBeUndefined();
      expect(result.stdout).toBe('');
    });

    it('names the feature of a bad segment file', async () => {
      const bad = SEGMENTS.replace('"LineString"', '"Point"');
      const result = await run('lon,lat\n1.5,42.5\n', [], bad);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/feature 0: geometry must be a LineString/);
    });

    it('says when the segment file is truncated', async () => {
      const result = await run('lon,lat\n1.5,42.5\n', [], SEGMENTS.slice(0, 200));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/truncated/);
    });

    it('leaves an existing output file untouched', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'roadloop-match-'));
      try {
        const out = join(dir, 'out.csv');
        writeFileSync(join(dir, 'segments.geojson'), SEGMENTS);
        writeFileSync(join(dir, 'points.csv'), 'lon,lat\n1.5,42.5\n1.5,95\n');
        writeFileSync(out, 'previous result\n');
        const silent = { write: () => true };
        const code = await runMatch(['--segments', join(dir, 'segments.geojson'), '--points', join(dir, 'points.csv'), '--out', out], {
          stdout: silent,
          stderr: silent,
        });
        expect(code).toBe(2);
        expect(readFileSync(out, 'utf8')).toBe('previous result\n');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('keeps the index in --index-cache: used for the same segment bytes, rebuilt for others or a damaged cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-match-'));
    try {
      const cache = join(dir, 'index.cache');
      const points = join(dir, 'points.csv');
      writeFileSync(points, `lon,lat\n${east(30)},${north(10)}\n`);
      const match = async (segments: string): Promise<{ code: number; stdout: string; stderr: string; out: string }> => {
        writeFileSync(join(dir, 'segments.geojson'), segments);
        let stdout = '';
        let stderr = '';
        const out = join(dir, 'out.csv');
        const code = await runMatch(['--segments', join(dir, 'segments.geojson'), '--points', points, '--out', out, '--index-cache', cache], {
          stdout: { write: (t: string) => (stdout += t) },
          stderr: { write: (t: string) => (stderr += t) },
        });
        return { code, stdout, stderr, out: readFileSync(out, 'utf8') };
      };
      const first = await match(SEGMENTS);
      expect(first.stdout).toMatch(/index cached/);
      expect(first.out).toContain(',r1,10.00,30.00');
      const second = await match(SEGMENTS);
      expect(second.stdout).toMatch(/index from cache/);
      expect(second.out).toBe(first.out);
      // Other segments: "r1" renamed; the cache of the old file must not answer for the new one.
      const renamed = await match(SEGMENTS.replace('"r1"', '"q1"'));
      expect(renamed.stdout).toMatch(/index cached/);
      expect(renamed.out).toContain(',q1,10.00,30.00');
      writeFileSync(cache, readFileSync(cache).subarray(0, 100));
      const damaged = await match(SEGMENTS);
      expect(damaged.stdout).toMatch(/index cached/);
      expect(damaged.out).toBe(first.out);
      expect(readdirSync(dir).sort()).toEqual(['index.cache', 'out.csv', 'points.csv', 'segments.geojson']);
      const unwritable = await runMatch(['--segments', join(dir, 'segments.geojson'), '--points', points, '--out', join(dir, 'out.csv'), '--index-cache', join(dir, 'no', 'such', 'dir')], {
        stdout: { write: () => true },
        stderr: { write: (t: string) => expect(t).toMatch(/warning: cannot write the index cache .*ENOENT/) },
      });
      expect(unwritable).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an --index-cache that is one of its inputs or its output, and leaves it as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-match-'));
    try {
      const segments = join(dir, 'segments.geojson');
      const points = join(dir, 'points.csv');
      writeFileSync(segments, SEGMENTS);
      writeFileSync(points, `lon,lat\n${east(30)},${north(10)}\n`);
      for (const cache of [segments, points, join(dir, '.', 'points.csv')]) {
        let stderr = '';
        const code = await runMatch(['--segments', segments, '--points', points, '--out', join(dir, 'out.csv'), '--index-cache', cache], {
          stdout: { write: () => true },
          stderr: { write: (t: string) => (stderr += t) },
        });
        expect(code).not.toBe(0);
        expect(stderr).toMatch(/--index-cache must be a file of its own/);
      }
      expect(readFileSync(segments, 'utf8')).toBe(SEGMENTS);
      expect(readFileSync(points, 'utf8')).toBe(`lon,lat\n${east(30)},${north(10)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads segments from a pipe without the cache (it could not read them twice), saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-match-'));
    try {
      const fifo = join(dir, 'segments.fifo');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const points = join(dir, 'points.csv');
      writeFileSync(points, `lon,lat\n${east(30)},${north(10)}\n`);
      const writer = spawn('sh', ['-c', 'cat > "$1"', 'sh', fifo], { stdio: ['pipe', 'ignore', 'ignore'] });
      writer.stdin.end(SEGMENTS);
      let stderr = '';
      const code = await runMatch(['--segments', fifo, '--points', points, '--out', join(dir, 'out.csv'), '--index-cache', join(dir, 'index.cache')], {
        stdout: { write: () => true },
        stderr: { write: (t: string) => (stderr += t) },
      });
      expect(code).toBe(0);
      expect(stderr).toMatch(/--index-cache ignored: .* is not a regular file/);
      expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toContain(',r1,10.00,30.00');
      expect(readdirSync(dir)).not.toContain('index.cache');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('arguments', () => {
    async function args(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      let stdout = '';
      let stderr = '';
      const code = await runMatch(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
      return { code, stdout, stderr };
    }

    it('prints the help, including the policy on invalid rows', async () => {
      const result = await args(['--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('usage: roadloop-geo match --segments');
      expect(result.stdout).toContain('Invalid input stops the run');
    });

    it.each([
      [['--points', 'p.csv', '--out', 'o.csv'], /--segments is required/],
      [['--segments', 's.geojson', '--points', 'p.csv', '--out', 'o.csv', '--fast'], /unknown argument "--fast"/],
      [['--segments'], /--segments needs a value/],
      [['--segments', 's', '--points', 'p', '--out', 'o', '--tolerance-m', '-1'], /--tolerance-m must be a number of metres in \[0, 10000\]/],
      [['--segments', 's', '--points', 'p', '--out', 'o', '--tolerance-m', 'abc'], /--tolerance-m must be/],
      [['--segments', 's', '--points', 'p', '--out', 'o', '--tolerance-m', '20000'], /--tolerance-m must be/],
      [['--segments', 'a', '--segments', 'b', '--points', 'p', '--out', 'o'], /--segments is given twice/],
      [['--segments', 's', '--points', 'p', '--out', 'o', '--threads', '4'], /--threads must be 1 or 2, got "4"/],
    ])('rejects %j', async (argv, message) => {
      const result = await args(argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    });

    it('reports missing input files', async () => {
      const missing = join(tmpdir(), 'roadloop-missing-segments.geojson');
      const result = await args(['--segments', missing, '--points', 'p.csv', '--out', 'o.csv']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/cannot read segment file .*ENOENT/);
    });
  });
});
