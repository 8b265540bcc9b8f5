import { describe, expect, it } from '@jest/globals';
import { MatchErrorCode } from './match.exception';
import { SegmentMatcher } from './segment-matcher';
import { SegmentMatcherBuilder } from './segment-matcher.builder';

/** A LineString as little-endian WKB, with the given type word (2 = 2-D LineString). */
function wkb(coordinates: readonly (readonly number[])[], type = 2, dimensions = 2): Buffer {
  const out = Buffer.alloc(9 + 8 * dimensions * coordinates.length);
  out.writeUInt8(1, 0);
  out.writeUInt32LE(type, 1);
  out.writeUInt32LE(coordinates.length, 5);
  coordinates.flat().forEach((n, i) => out.writeDoubleLE(n, 9 + 8 * i));
  return out;
}

/** mulberry32: the same network on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Wandering lines of 2–6 vertices around (1.5, 42.5), some sharing ends, full doubles. */
function network(count: number): { id: string; coordinates: [number, number][] }[] {
  const random = seededRandom(7);
  let lon = 1.5;
  let lat = 42.5;
  return Array.from({ length: count }, (_, s) => {
    if (s % 5 === 0) [lon, lat] = [1.5 + (random() - 0.5) * 0.2, 42.5 + (random() - 0.5) * 0.2];
    const coordinates: [number, number][] = [[lon, lat]];
    for (let v = 1, n = 2 + Math.floor(random() * 5); v < n; v++) {
      lon += (random() - 0.5) * 0.002;
      lat += (random() - 0.5) * 0.002;
      coordinates.push([lon, lat]);
    }
    return { id: `w${s}`, coordinates };
  });
}

const LINE = [
  [1.5212345678901234, 42.50000000000001],
  [1.52, 42.51],
  [-179.999, 89.9],
] as const;

describe(SegmentMatcherBuilder.name, () => {
  it('builds the very index SegmentMatcher.build makes of the same segments, whatever the size guessed', () => {
    const segments = network(3_000);
    const reference = SegmentMatcher.build(segments).toData();
    const vertices = segments.reduce((n, s) => n + s.coordinates.length, 0);
    for (const expected of [{ segments: 3_000, vertices }, { segments: 1, vertices: 2 }, { segments: 0, vertices: 0 }]) {
      const builder = new SegmentMatcherBuilder(expected);
      segments.forEach((s, i) => builder.addWkb(s.id, wkb(s.coordinates), i));
      expect({ expected, data: builder.finish().toData() }).toEqual({ expected, data: reference });
    }
  });

  it('reads a Buffer that is an unaligned slice of a larger one, as the driver hands rows over', () => {
    const whole = Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), wkb(LINE), Buffer.from([0xff])]);
    const builder = new SegmentMatcherBuilder({ segments: 1, vertices: 3 });
    builder.addWkb('a', whole.subarray(3, whole.length - 1), 0);
    expect(builder.finish().toData()).toEqual(SegmentMatcher.build([{ id: 'a', coordinates: LINE }]).toData());
  });

  it.each([
    ['a Point', Buffer.concat([Buffer.from([1, 1, 0, 0, 0]), Buffer.alloc(16)]), /WKB type 1$/],
    ['a LineString Z (ISO)', wkb([[1, 42, 900], [1.1, 42, 910]], 1002, 3), /2-D LineString \(WKB type 2\), got WKB type 1002/],
    ['an EWKB LineString with an SRID', Buffer.concat([Buffer.from([1, 2, 0, 0, 0x20, 0xe6, 0x10, 0, 0]), wkb(LINE).subarray(5)]), /got WKB type 536870914/],
    ['a MultiLineString', Buffer.concat([Buffer.from([1, 5, 0, 0, 0, 1, 0, 0, 0]), wkb(LINE)]), /got WKB type 5/],
    ['big-endian WKB', Buffer.concat([Buffer.from([0]), wkb(LINE).subarray(1)]), /little-endian \(NDR\) WKB, got byte order 0/],
    ['a truncated LineString', wkb(LINE).subarray(0, 40), /WKB of 3 vertices must be 57 bytes, got 40/],
    ['a single vertex', wkb([[1, 42]]), /at least 2 vertices, got 1/],
    ['an empty LineString', wkb([]), /at least 2 vertices, got 0/],
    ['a vertex out of range', wkb([[1, 42], [181, 42]]), /vertex 1 must have lon in \[-180, 180\].*got \[181, 42\]/],
    ['a NaN first vertex', wkb([[Number.NaN, 42], [1, 42]]), /vertex 0 must have lon/],
    ['five bytes', Buffer.from([1, 2, 0, 0, 0]), /at least 9 bytes, got 5 bytes/],
  ])('refuses %s, naming the segment, and keeps what came before', (_, geometry, message) => {
    const builder = new SegmentMatcherBuilder({ segments: 2, vertices: 5 });
    builder.addWkb('ok', wkb(LINE), 0);
    let thrown: unknown;
    try {
      builder.addWkb('way/7-3', geometry, 1);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: MatchErrorCode.InvalidSegment, details: { featureIndex: 1 } });
    expect((thrown as Error).message).toMatch(/^segment 1: segment "way\/7-3": /);
    expect((thrown as Error).message).toMatch(message);
    expect(builder.finish().toData()).toEqual(SegmentMatcher.build([{ id: 'ok', coordinates: LINE }]).toData());
  });
});
