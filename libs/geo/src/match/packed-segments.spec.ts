import { describe, expect, it } from '@jest/globals';
import { MatchErrorCode } from './match.exception';
import { SegmentPackBuilder } from './packed-segments';

/** A LineString as little-endian WKB, with the given type word (2 = 2-D LineString). */
function wkb(coordinates: readonly (readonly number[])[], type = 2, dimensions = 2): Buffer {
  const out = Buffer.alloc(9 + 8 * dimensions * coordinates.length);
  out.writeUInt8(1, 0);
  out.writeUInt32LE(type, 1);
  out.writeUInt32LE(coordinates.length, 5);
  coordinates.flat().forEach((n, i) => out.writeDoubleLE(n, 9 + 8 * i));
  return out;
}

const LINE = [
  [1.5212345678901234, 42.50000000000001],
  [1.52, 42.51],
  [-179.999, 89.9],
] as const;

describe(SegmentPackBuilder.name, () => {
  it('sized from the expected totals, hands its own arrays over; a short guess only grows them', () => {
    const exact = new SegmentPackBuilder({ segments: 2, vertices: 5 });
    const short = new SegmentPackBuilder({ segments: 1, vertices: 1 });
    for (const builder of [exact, short]) {
      builder.add('a', LINE, 0);
      builder.add('b', LINE.slice(0, 2), 1);
    }
    const own = exact as unknown as { coords: Float64Array; vertexStart: Uint32Array };
    const [coords, vertexStart] = [own.coords, own.vertexStart];
    const fromExact = exact.finish();
    expect(fromExact.coords).toBe(coords);
    expect(fromExact.vertexStart).toBe(vertexStart);
    expect(short.finish()).toEqual(fromExact);
    expect(fromExact).toEqual({ ids: ['a', 'b'], vertexStart: new Uint32Array([0, 3, 5]), coords: new Float64Array([...LINE.flat(), ...LINE.slice(0, 2).flat()]) });
  });

  it('told its ids are unique (a primary key), packs the same and cannot say which ids it holds', () => {
    const unique = new SegmentPackBuilder({ segments: 2, vertices: 5 }, { idsUnique: true });
    const checked = new SegmentPackBuilder();
    for (const builder of [unique, checked]) {
      builder.addWkb('a', wkb(LINE), 0);
      builder.add('b', LINE.slice(0, 2), 1);
    }
    expect(checked.has('a')).toBe(true);
    expect(() => unique.has('a')).toThrow(/told its ids are unique/);
    expect(unique.finish()).toEqual(checked.finish());
  });

  describe('addWkb', () => {
    it('packs WKB LineStrings exactly as add() packs the same vertices, full doubles kept', () => {
      const fromWkb = new SegmentPackBuilder();
      const fromArrays = new SegmentPackBuilder();
      fromWkb.addWkb('a', wkb(LINE), 0);
      fromWkb.addWkb('b', wkb(LINE.slice(0, 2)), 1);
      fromArrays.add('a', LINE, 0);
      fromArrays.add('b', LINE.slice(0, 2), 1);
      const packed = fromWkb.finish();
      expect(packed).toEqual(fromArrays.finish());
      expect(packed.coords[0]).toBe(1.5212345678901234);
      expect(packed.vertexStart).toEqual(new Uint32Array([0, 3, 5]));
    });

    it('reads a Buffer that is an unaligned slice of a larger one, as the driver hands rows over', () => {
      const whole = Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), wkb(LINE), Buffer.from([0xff])]);
      const builder = new SegmentPackBuilder();
      builder.addWkb('a', whole.subarray(3, whole.length - 1), 0);
      expect(Array.from(builder.finish().coords)).toEqual(LINE.flat());
    });

    it.each([
      ['a Point', Buffer.concat([Buffer.from([1, 1, 0, 0, 0]), Buffer.alloc(16)]), /got 21 bytes|WKB type 1/],
      ['a LineString Z (ISO)', wkb([[1, 42, 900], [1.1, 42, 910]], 1002, 3), /2-D LineString \(WKB type 2\), got WKB type 1002/],
      ['an EWKB LineString with an SRID', Buffer.concat([Buffer.from([1, 2, 0, 0, 0x20, 0xe6, 0x10, 0, 0]), wkb(LINE).subarray(5)]), /got WKB type 536870914/],
      ['a MultiLineString', Buffer.concat([Buffer.from([1, 5, 0, 0, 0, 1, 0, 0, 0]), wkb(LINE)]), /got WKB type 5/],
      ['big-endian WKB', Buffer.concat([Buffer.from([0]), wkb(LINE).subarray(1)]), /little-endian \(NDR\) WKB, got byte order 0/],
      ['a truncated LineString', wkb(LINE).subarray(0, 40), /WKB of 3 vertices must be 57 bytes, got 40/],
      ['a single vertex', wkb([[1, 42]]), /at least 2 vertices, got 1/],
      ['an empty LineString', wkb([]), /at least 2 vertices, got 0/],
      ['a vertex out of range', wkb([[1, 42], [181, 42]]), /vertex 1 must have lon in \[-180, 180\].*got \[181, 42\]/],
      ['a NaN vertex', wkb([[1, 42], [Number.NaN, 42]]), /vertex 1 must have lon/],
      ['five bytes', Buffer.from([1, 2, 0, 0, 0]), /at least 9 bytes, got 5 bytes/],
    ])('refuses %s, naming the segment', (_, geometry, message) => {
      const builder = new SegmentPackBuilder();
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
      // The refused segment left nothing behind.
      expect(builder.finish()).toEqual({ ids: ['ok'], vertexStart: new Uint32Array([0, 3]), coords: new Float64Array(LINE.flat()) });
    });

    it('refuses an id given twice', () => {
      const builder = new SegmentPackBuilder();
      builder.addWkb('a', wkb(LINE), 0);
      expect(() => builder.addWkb('a', wkb(LINE), 1)).toThrow(expect.objectContaining({ code: MatchErrorCode.DuplicateSegmentId }));
    });
  });
});
