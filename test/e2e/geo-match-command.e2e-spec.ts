import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentMatcher, metricScale } from '@roadloop/geo';
import { REPO_ROOT } from '../support/environment';

// The built `roadloop-geo match --threads 2` on points files large enough for two threads (1 MiB and up):
// the second half is matched by a worker that only exists compiled, so this runs the command.
jest.setTimeout(300_000);

const BIN = join(REPO_ROOT, 'libs/geo/bin/roadloop-geo.js');
const LAT = 42.5;
const { kx, ky } = metricScale(LAT);
const SEGMENTS = Array.from({ length: 40 }, (_, i) => ({
  id: i % 7 === 0 ? `road,${i}` : `road-${i}`,
  coordinates: [
    [1.5, LAT + (25 * i) / ky],
    [1.5 + 400 / kx, LAT + (25 * i + 5) / ky],
  ] as [number, number][],
}));

/** Points over the segments' area from a seeded generator, as "lon,lat" texts with 7 decimals. */
function pointRows(count: number): string[] {
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: count }, () => `${(1.5 + (next() * 420 - 10) / kx).toFixed(7)},${(LAT + (next() * 1000 - 10) / ky).toFixed(7)}`);
}

describe('roadloop-geo match on a large points file (two threads)', () => {
  let dir: string;
  const run = (points: string, tolerance = '20', extra: string[] = []) => {
    writeFileSync(join(dir, 'points.csv'), points);
    const out = join(dir, 'out.csv');
    rmSync(out, { force: true });
    const res = spawnSync(process.execPath, [BIN, 'match', '--segments', join(dir, 'segments.geojson'), '--points', join(dir, 'points.csv'), '--out', out, '--tolerance-m', tolerance, '--threads', '2', ...extra], {
      encoding: 'utf8',
    });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr, out: existsSync(out) ? readFileSync(out, 'utf8') : undefined };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'roadloop-match-e2e-'));
    const features = SEGMENTS.map((s) => ({ type: 'Feature', properties: { id: s.id }, geometry: { type: 'LineString', coordinates: s.coordinates } }));
    writeFileSync(join(dir, 'segments.geojson'), JSON.stringify({ type: 'FeatureCollection', features }));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes, in input order, exactly what the in-process matcher answers', () => {
    const rows = pointRows(80_000);
    const result = run(`lon,lat\r\n${rows.join('\r\n')}\r\n`);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/80000 rows, .* 2 threads\)/);
    const matcher = SegmentMatcher.build(SEGMENTS);
    const expected = rows.map((row) => {
      const [lon, lat] = row.split(',');
      const m = matcher.match(Number(lon), Number(lat), 20);
      return m === null ? `${row},,,` : `${row},${m.segmentId.includes(',') ? `"${m.segmentId}"` : m.segmentId},${m.distanceM.toFixed(2)},${m.offsetM.toFixed(2)}`;
    });
    expect(expected.filter((r) => !r.endsWith(',,,')).length).toBeGreaterThan(10_000);
    expect(result.out).toBe(`lon,lat,segmentId,distanceM,offsetM\n${expected.join('\n')}\n`);
    expect(readdirLeftovers()).toEqual([]);

    // The same with the index read from a cache, which both threads then share.
    const cache = join(dir, 'index.cache');
    expect(run(`lon,lat\r\n${rows.join('\r\n')}\r\n`, '20', ['--index-cache', cache]).stdout).toMatch(/index cached.* 2 threads\)/);
    const cached = run(`lon,lat\r\n${rows.join('\r\n')}\r\n`, '20', ['--index-cache', cache]);
    expect(cached.stdout).toMatch(/index from cache.* 2 threads\)/);
    expect(cached.out).toBe(result.out);
    rmSync(cache);
  });

  it('names the line of a bad row in the second half, counting blank lines of the first, and writes nothing', () => {
    const rows = pointRows(80_000);
    rows.splice(1000, 0, '', '');
    rows[70_000] = '1.5,95';
    const result = run(`lon,lat\n${rows.join('\n')}\n`);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/points\.csv:70002: lat 95 is outside \[-90, 90\]/);
    expect(result.out).toBeUndefined();
    expect(readdirLeftovers()).toEqual([]);
  });

  it('reports the first bad row when both halves have one', () => {
    const rows = pointRows(80_000);
    rows[10] = '1.5,"4"2"';
    rows[70_000] = 'x,42.5';
    const result = run(`lon,lat\n${rows.join('\n')}\n`);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/points\.csv:12: unexpected "2" after a closing quote/);
    expect(result.stderr).not.toMatch(/70002/);
  });

  function readdirLeftovers(): string[] {
    return readdirSync(dir).filter((f) => f.includes('.partial-'));
  }
});
