import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Feature, LineString } from 'geojson';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MatchErrorCode, MatchException } from './match.exception';
import { packSegments, segmentCoordinates, type PackedSegments } from './packed-segments';
import { loadSegmentsGeoJson, SegmentGeoJsonScanner } from './segment-geojson.loader';

function feature(id: unknown, coordinates: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'Feature', properties: { id, ...extra }, geometry: { type: 'LineString', coordinates } };
}

function collection(features: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'FeatureCollection', ...extra, features }, null, 1);
}

const A = feature('a', [[1.5, 42.5], [1.51, 42.5]]);
const B = feature('b', [[1.5, 42.51], [1.51, 42.51], [1.52, 42.52]]);
const C = feature('c', [[1.6, 42.6], [1.61, 42.6]]);

/** Writes `text` to a fresh temporary file, runs `fn` on its path, then removes it. */
async function withFile<T>(text: string | Buffer, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'roadloop-segments-'));
  try {
    const path = join(dir, 'segments.geojson');
    writeFileSync(path, text);
    return await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function loadError(text: string | Buffer): Promise<MatchException> {
  try {
    await withFile(text, (path) => loadSegmentsGeoJson(path));
  } catch (err) {
    if (err instanceof MatchException) return err;
    throw err;
  }
  throw new Error('expected the load to fail');
}

function scanInChunks(text: string, size: number): PackedSegments {
  const bytes = Buffer.from(text, 'utf8');
  const scanner = new SegmentGeoJsonScanner();
  for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
  return scanner.end();
}

function plain(packed: PackedSegments): { id: string; coordinates: [number, number][] }[] {
  return packed.ids.map((id, s) => ({ id, coordinates: segmentCoordinates(packed, s) }));
}

describe(loadSegmentsGeoJson.name, () => {
  it('loads LineString features with their ids and vertices', async () => {
    const packed = await withFile(collection([A, B, C]), (path) => loadSegmentsGeoJson(path));
    expect(plain(packed)).toEqual([
      { id: 'a', coordinates: [[1.5, 42.5], [1.51, 42.5]] },
      { id: 'b', coordinates: [[1.5, 42.51], [1.51, 42.51], [1.52, 42.52]] },
      { id: 'c', coordinates: [[1.6, 42.6], [1.61, 42.6]] },
    ]);
  });

  it('skips other top-level members and tolerates tricky strings, a BOM and CRLF', async () => {
    const tricky = feature('Sant Julià de Lòria "CG-1" {km 3}', [[1.49, 42.46], [1.5, 42.47]], { name: 'a ] } [ { \\ "' });
    const text = `\uFEFF{"name":"roads, ] }","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"bbox":[1,2,3,4],"n":12,"ok":true,"x":null,\r\n"features":[${JSON.stringify(tricky)}],"type":"FeatureCollection"}\r\n`;
    const packed = await withFile(text, (path) => loadSegmentsGeoJson(path));
    expect(packed.ids).toEqual(['Sant Julià de Lòria "CG-1" {km 3}']);
  });

  it('gives the same result whatever the read chunk size (values cut across chunks)', async () => {
    const text = collection([A, feature('é→ü', [[1.5, 42.5], [1.5, 42.6]]), B], { name: 'Andorra – roads' });
    const whole = plain(scanInChunks(text, text.length));
    for (const size of [1, 2, 3, 5, 7, 64]) expect(plain(scanInChunks(text, size))).toEqual(whole);
    expect(plain(await withFile(text, (path) => loadSegmentsGeoJson(path, { chunkBytes: 3 })))).toEqual(whole);
  });

  it('loads an empty collection', async () => {
    const packed = await withFile('{"type":"FeatureCollection","features":[]}', (path) => loadSegmentsGeoJson(path));
    expect(packed.ids).toEqual([]);
  });

  it('agrees with JSON.parse + packSegments on random collections cut in random chunks', () => {
    const lonLat = fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true }));
    const segments = fc.uniqueArray(fc.record({ id: fc.string({ minLength: 1, unit: 'binary' }), coordinates: fc.array(lonLat, { minLength: 2, maxLength: 5 }) }), {
      selector: (s) => s.id,
      maxLength: 8,
    });
    fc.assert(
      fc.property(segments, fc.integer({ min: 1, max: 50 }), fc.boolean(), (segs, chunk, pretty) => {
        const text = JSON.stringify({ type: 'FeatureCollection', features: segs.map((s) => feature(s.id, s.coordinates)) }, null, pretty ? 2 : 0);
        expect(plain(scanInChunks(text, chunk))).toEqual(plain(packSegments(JSON.parse(text))));
      }),
      { numRuns: 200 },
    );
  });

  it('reads compact features straight from the bytes as JSON.parse reads them, numbers of any spelling included', () => {
    const digits = fc.stringMatching(/^[0-9]{1,19}$/);
    // JSON numbers, valid or not, as text: leading zeros, exponents, many digits, a bare point.
    const number = fc.oneof(
      fc.tuple(fc.constantFrom('', '-'), fc.constantFrom('0', '1', '12', '89', '179', '180', '181', '07'), fc.option(digits, { nil: undefined })).map(
        ([sign, whole, fraction]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}`,
      ),
      fc.constantFrom('1e1', '1.5E-3', '-0', '-0.0', '0.', '.5', '73.104285101604987', '89.123456789012345', '42.500000000000001', ' 1', 'true'),
    );
    const vertex = fc.tuple(number, number).map(([lon, lat]) => `[${lon},${lat}]`);
    const id = fc.oneof(fc.constantFrom('a', 'b', 'é', 'a\\"b', 'x\u0041', ''), fc.string({ minLength: 1, maxLength: 4 }).map((t) => JSON.stringify(t).slice(1, -1)));
    const featureText = fc
      .tuple(id, fc.array(vertex, { minLength: 1, maxLength: 4 }))
      .map(([i, vs]) => `{"type":"Feature","properties":{"id":"${i}"},"geometry":{"type":"LineString","coordinates":[${vs.join(',')}]}}`);
    const outcome = (read: () => PackedSegments): unknown => {
      try {
        return plain(read());
      } catch (err) {
        if (!(err instanceof MatchException)) throw err;
        return { code: err.code, featureIndex: err.details.featureIndex, message: err.message.replace(/ \(byte \d+\)| at byte \d+/g, '') };
      }
    };
    fc.assert(
      fc.property(fc.array(featureText, { maxLength: 6 }), fc.integer({ min: 1, max: 400 }), (features, chunk) => {
        const text = `{"type":"FeatureCollection","features":[${features.join(',')}]}`;
        const scanned = outcome(() => scanInChunks(text, chunk));
        // The reference: JSON.parse and packSegments on the features before the first one that is
        // not JSON (a number JSON does not allow: "07", "0.", ".5"), which is then the error.
        const bad = features.findIndex((f) => {
          try {
            JSON.parse(f);
            return false;
          } catch {
            return true;
          }
        });
        const good = bad < 0 ? features : features.slice(0, bad);
        const reference = outcome(() => packSegments(good.map((f) => JSON.parse(f) as Feature<LineString>)));
        if (!Array.isArray(reference)) {
          const { message } = reference as { message: string };
          expect(scanned).toEqual({ ...(reference as object), message: message.replace(/\bsegment (\d+)/g, 'feature $1') });
        } else if (bad >= 0) {
          expect(scanned).toMatchObject({ code: MatchErrorCode.InvalidSegment, featureIndex: bad, message: expect.stringMatching(new RegExp(`^feature ${bad} is not valid JSON`)) });
        } else expect(scanned).toEqual(reference);
      }),
      { numRuns: 500 },
    );
  });

  it('reads escaped ids and long numbers of compact features as JSON.parse does, and rejects a bare point', async () => {
    const compact = (id: string, coordinates: string): string =>
      `{"type":"Feature","properties":{"id":"${id}"},"geometry":{"type":"LineString","coordinates":${coordinates}}}`;
    const text = `{"type":"FeatureCollection","features":[${[
      compact('x\\u0041', '[[73.104285101604987,89.123456789012345],[-0,-0.0]]'),
      compact('a\\"b', '[[1.5,42.5],[1.50000000000000001,42.50000000000000001]]'),
    ].join(',')}]}`;
    expect(plain(await withFile(text, (path) => loadSegmentsGeoJson(path)))).toEqual(plain(packSegments(JSON.parse(text))));
    expect(plain(await withFile(text, (path) => loadSegmentsGeoJson(path))).map((s) => s.id)).toEqual(['xA', 'a"b']);
    const err = await loadError(`{"type":"FeatureCollection","features":[${compact('a', '[[1.,42],[1,42]]')}]}`);
    expect(err.message).toMatch(/^feature 0 \(byte 40\) is not valid JSON/);
  });

  describe('bad features name their index', () => {
    it.each([
      ['a Polygon', { type: 'Feature', properties: { id: 'p' }, geometry: { type: 'Polygon', coordinates: [] } }, /LineString.*Polygon/],
      ['no id', feature(undefined, [[1.5, 42.5], [1.6, 42.5]]), /id/],
      ['one vertex', feature('x', [[1.5, 42.5]]), /at least 2 vertices/],
      ['a latitude of 95', feature('x', [[1.5, 42.5], [1.5, 95]]), /vertex 1/],
      ['a string coordinate', feature('x', [[1.5, 42.5], ['1.5', 42]]), /vertex 1/],
      ['no geometry', { type: 'Feature', properties: { id: 'x' }, geometry: null }, /geometry/],
      ['a number instead of a feature', 42, /Feature/],
    ])('rejects %s', async (_name, bad, message) => {
      for (const text of [collection([A, B, bad]), JSON.stringify({ type: 'FeatureCollection', features: [A, B, bad] })]) {
        const err = await loadError(text);
        expect(err.code).toBe(MatchErrorCode.InvalidSegment);
        expect(err.details.featureIndex).toBe(2);
        expect(err.message).toMatch(/^feature 2\b/);
        expect(err.message).toMatch(message);
      }
    });

    it('rejects malformed JSON inside a feature', async () => {
      const text = collection([A, B]).replace('"b"', '"b",,');
      const err = await loadError(text);
      expect(err.code).toBe(MatchErrorCode.InvalidSegment);
      expect(err.details.featureIndex).toBe(1);
      expect(err.message).toMatch(/^feature 1 .*not valid JSON/);
    });

    it('rejects a duplicate id, naming both features', async () => {
      const features = [A, B, feature('a', [[1.7, 42.5], [1.71, 42.5]])];
      for (const text of [collection(features), JSON.stringify({ type: 'FeatureCollection', features })]) {
        const err = await loadError(text);
        expect(err.code).toBe(MatchErrorCode.DuplicateSegmentId);
        expect(err.details.featureIndex).toBe(2);
        expect(err.message).toMatch(/feature 2.*"a".*feature 0/);
      }
    });
  });

  describe('truncated files', () => {
    const text = collection([A, B, C]);

    it('says so when the file ends inside a feature', async () => {
      const cut = text.slice(0, text.indexOf('"c"') + 4);
      const err = await loadError(cut);
      expect(err.code).toBe(MatchErrorCode.TruncatedGeoJson);
      expect(err.message).toMatch(/truncated.*inside feature 2/);
      expect(err.details.featureIndex).toBe(2);
    });

    it.each([
      ['after a feature', (t: string) => t.slice(0, t.lastIndexOf(']')).trimEnd()],
      ['after a comma', (t: string) => t.slice(0, t.indexOf('"properties"', t.indexOf('"b"') - 40) - 30)],
      ['before the last brace', (t: string) => t.slice(0, t.lastIndexOf('}'))],
      ['inside a member name', (t: string) => t.slice(0, t.indexOf('"type"') + 3)],
      ['when it is empty', () => ''],
    ])('says so when the file ends %s', async (_name, cut) => {
      const err = await loadError(cut(text));
      expect(err.code).toBe(MatchErrorCode.TruncatedGeoJson);
      expect(err.message).toMatch(/truncated/);
    });
  });

  describe('files that are not a FeatureCollection', () => {
    it.each([
      ['a top-level array', '[1, 2]'],
      ['a single Feature', JSON.stringify(A)],
      ['no features member', '{"type":"FeatureCollection"}'],
      ['features that are not an array', '{"type":"FeatureCollection","features":{}}'],
      ['garbage after the end', `${collection([A])} x`],
      ['two collections', `${collection([A])}${collection([B])}`],
      ['a missing colon', '{"type" "FeatureCollection","features":[]}'],
      ['a bad top-level value', '{"type":"FeatureCollection","name":nope,"features":[]}'],
    ])('rejects %s', async (_name, text) => {
      const err = await loadError(text);
      expect(err.code).toBe(MatchErrorCode.InvalidGeoJson);
    });
  });

  it('reports a missing file as unreadable', async () => {
    const err = await loadSegmentsGeoJson(join(tmpdir(), 'roadloop-no-such-file.geojson')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MatchException);
    expect((err as MatchException).code).toBe(MatchErrorCode.UnreadableFile);
    expect((err as MatchException).message).toContain('ENOENT');
  });
});
