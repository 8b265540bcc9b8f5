import { describe, expect, it } from '@jest/globals';
import { decodeMatcherCache, encodeMatcherCache, indexCodeFingerprint, segmentFileKey } from './matcher-cache';
import type { SegmentInput } from './packed-segments';
import { SegmentMatcher } from './segment-matcher';

const key = (text: string): string => {
  const k = segmentFileKey();
  k.update(Buffer.from(text));
  return k.digest();
};

/** A few hundred segments around Andorra la Vella, some with quotes and non-ASCII in their ids. */
function segments(count: number): SegmentInput[] {
  let seed = 11;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: count }, (_, i) => {
    const lon = 1.4 + random() * 0.2;
    const lat = 42.4 + random() * 0.2;
    const coordinates: [number, number][] = [[lon, lat]];
    for (let v = 0; v < 1 + (i % 4); v++) coordinates.push([lon + (v + 1) * random() * 0.001, lat + (v + 1) * random() * 0.001]);
    return { id: i % 7 === 0 ? `"road" ${i} – à` : `r${i}`, coordinates };
  });
}

describe('matcher cache', () => {
  const matcher = SegmentMatcher.build(segments(400));
  const source = key('the segment file');

  it('gives back a matcher that answers exactly as the one saved', () => {
    const opened = decodeMatcherCache(encodeMatcherCache(matcher, source), source);
    expect(opened).toBeInstanceOf(SegmentMatcher);
    expect(opened!.segmentCount).toBe(400);
    let matched = 0;
    for (let i = 0; i < 3000; i++) {
      const lon = 1.39 + (i % 60) * 0.0037;
      const lat = 42.39 + Math.floor(i / 60) * 0.0045;
      const m = matcher.match(lon, lat, 300);
      if (m !== null) matched++;
      expect(opened!.match(lon, lat, 300)).toEqual(m);
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('reads from a buffer at any offset', () => {
    const bytes = encodeMatcherCache(matcher, source);
    const shifted = Buffer.alloc(bytes.length + 3);
    bytes.copy(shifted, 3);
    expect(decodeMatcherCache(shifted.subarray(3), source)!.match(1.5, 42.5, 5000)).toEqual(matcher.match(1.5, 42.5, 5000));
  });

  it('saves a matcher of no segments', () => {
    const empty = SegmentMatcher.build([]);
    expect(decodeMatcherCache(encodeMatcherCache(empty, source), source)!.match(1.5, 42.5, 50)).toBeNull();
  });

  it('is not used when written by another build of the matcher', () => {
    const code = indexCodeFingerprint();
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    expect(decodeMatcherCache(encodeMatcherCache(matcher, source, code), source)).toBeInstanceOf(SegmentMatcher);
    const other = `${code.slice(0, 63)}${code[63] === '0' ? '1' : '0'}`;
    expect(decodeMatcherCache(encodeMatcherCache(matcher, source, other), source)).toBeUndefined();
  });

  it('is not used for other segments, nor when truncated, altered or not a cache at all', () => {
    const bytes = encodeMatcherCache(matcher, source);
    expect(decodeMatcherCache(bytes, key('another segment file'))).toBeUndefined();
    expect(decodeMatcherCache(bytes.subarray(0, bytes.length - 1), source)).toBeUndefined();
    expect(decodeMatcherCache(bytes.subarray(0, 20), source)).toBeUndefined();
    for (const at of [bytes.length - 1, bytes.length >> 1, bytes.length - 5000, 20, 60]) {
      const altered = Buffer.from(bytes);
      altered[at] ^= 1;
      expect(decodeMatcherCache(altered, source)).toBeUndefined();
    }
    expect(decodeMatcherCache(Buffer.from('{"type":"FeatureCollection","features":[]}'), source)).toBeUndefined();
    expect(decodeMatcherCache(Buffer.alloc(0), source)).toBeUndefined();
  });
});
