import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { andorraFile } from '../../test/andorra-data';
import { GeoError } from '../geo.exception';
import { HGT_VOID, decodeHgt, hgtSizeFromBytes, parseHgtName, sampleHgt, type HgtTile } from './hgt-tile';

function tileWith(values: Record<string, number>, fill = 1000): HgtTile {
  const size = 1201;
  const data = new Int16Array(size * size).fill(fill);
  for (const [rc, v] of Object.entries(values)) {
    const [r, c] = rc.split(',').map(Number);
    data[r * size + c] = v;
  }
  return { south: 42, west: 1, size, data };
}
// Sample (row r, column c) lies at latitude 43 − r/1200 and longitude 1 + c/1200.
const lat = (r: number) => 43 - r / 1200;
const lon = (c: number) => 1 + c / 1200;

describe(parseHgtName.name, () => {
  it('reads the south-west corner from the name', () => {
    expect(parseHgtName('N42E001.hgt')).toEqual({ south: 42, west: 1 });
    expect(parseHgtName('s12w077.HGT')).toEqual({ south: -12, west: -77 });
    expect(parseHgtName('N42E001.tif')).toBeNull();
    expect(parseHgtName('N95E001.hgt')).toBeNull();
    expect(parseHgtName('tile.hgt')).toBeNull();
  });
});

describe(decodeHgt.name, () => {
  it('decodes big-endian int16 once, keeping voids', () => {
    const bytes = new Uint8Array(1201 * 1201 * 2);
    bytes.set([0x01, 0x02, 0xff, 0xfe, 0x80, 0x00], 0);
    const t = decodeHgt(bytes, 42, 1);
    expect(t.size).toBe(1201);
    expect([t.data[0], t.data[1], t.data[2]]).toEqual([258, -2, HGT_VOID]);
  });

  it('tells 1″ from 3″ by size and rejects anything else with DEM_INVALID', () => {
    expect(hgtSizeFromBytes(2884802)).toBe(1201);
    expect(hgtSizeFromBytes(25934402)).toBe(3601);
    expect(hgtSizeFromBytes(1000)).toBeNull();
    let err: unknown;
    try {
      decodeHgt(new Uint8Array(1000), 42, 1, 'bad.hgt');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GeoError);
    expect((err as GeoError).code).toBe('DEM_INVALID');
  });
});

describe(sampleHgt.name, () => {
  it('interpolates bilinearly between the four surrounding samples', () => {
    const t = tileWith({ '600,600': 1000, '600,601': 1100, '601,600': 1200, '601,601': 1300 });
    expect(sampleHgt(t, lon(600), lat(600))).toBe(1000);
    expect(sampleHgt(t, lon(600.5), lat(600))).toBeCloseTo(1050, 9);
    expect(sampleHgt(t, lon(600), lat(600.5))).toBeCloseTo(1100, 9);
    expect(sampleHgt(t, lon(600.5), lat(600.5))).toBeCloseTo(1150, 9);
  });

  it('leaves void corners out while the valid ones hold at least half the weight, else NaN', () => {
    const t = tileWith({ '600,600': 1000, '600,601': HGT_VOID, '601,600': 1200, '601,601': 1300 });
    // At the valid corner itself.
    expect(sampleHgt(t, lon(600), lat(600))).toBe(1000);
    // A quarter of the way towards the void: weights 0.75·(1000) + 0.25·(void) on the top row.
    expect(sampleHgt(t, lon(600.25), lat(600))).toBe(1000);
    // Nearer the void than any valid data: unknown.
    expect(sampleHgt(t, lon(600.9), lat(600.05))).toBeNaN();
    const allVoid = tileWith({ '600,600': HGT_VOID, '600,601': HGT_VOID, '601,600': HGT_VOID, '601,601': HGT_VOID });
    expect(sampleHgt(allVoid, lon(600.5), lat(600.5))).toBeNaN();
  });

  it('covers the closed tile, edges included, and nothing outside', () => {
    const t = tileWith({ '0,1200': 2000, '1200,0': 500 });
    expect(sampleHgt(t, 2, 43)).toBe(2000);
    expect(sampleHgt(t, 1, 42)).toBe(500);
    expect(sampleHgt(t, 0.9999, 42.5)).toBeNaN();
    expect(sampleHgt(t, 1.5, 43.0001)).toBeNaN();
  });

  it('stays within the range of the four corners (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -400, max: 8800 }), { minLength: 4, maxLength: 4 }),
        // Strictly inside the cell: on its edge, rounding of lat → row may pick the neighbour cell.
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        (v, fr, fcol) => {
          const t = tileWith({ '10,20': v[0], '10,21': v[1], '11,20': v[2], '11,21': v[3] });
          const z = sampleHgt(t, lon(20 + fcol), lat(10 + fr));
          expect(z).toBeGreaterThanOrEqual(Math.min(...v) - 1e-9);
          expect(z).toBeLessThanOrEqual(Math.max(...v) + 1e-9);
        },
      ),
    );
  });

  it('matches the spot checks of the Andorra README on the real tile', () => {
    const tile = decodeHgt(readFileSync(andorraFile('N42E001.hgt')), 42, 1);
    const checks: [number, number, number][] = [
      [42.5063, 1.5218, 1017.4],
      [42.542, 1.733, 2113.6],
      [42.4633, 1.4906, 907.5],
      [42.5347, 1.5806, 1255.5],
      [42.5558, 1.5331, 1294.8],
      [42.5766, 1.6666, 1821.9],
      [42.5917, 1.4442, 2896.1],
    ];
    for (const [la, lo, z] of checks) expect(sampleHgt(tile, lo, la)).toBeCloseTo(z, 1);
  });
});
