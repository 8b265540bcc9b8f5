/**
 * SRTM `.hgt` tiles: a headerless grid of big-endian int16 metres, row 0 at the northern edge,
 * 1201 × 1201 samples for 3″ tiles and 3601 × 3601 for 1″ tiles (the file size tells which);
 * the name gives the south-west corner (N42E001 covers 42–43°N, 1–2°E); −32768 marks a void.
 */
import { GeoError } from '../geo.exception';


export const HGT_VOID = -32768;

export interface HgtTile {
  /** Latitude of the southern edge, degrees. */
  readonly south: number;
  /** Longitude of the western edge, degrees. */
  readonly west: number;
  /** Samples per row and column: 1201 (3″) or 3601 (1″). */
  readonly size: number;
  /** Row-major from the north-west corner, metres, HGT_VOID for voids. */
  readonly data: Int16Array;
}

/** Grid size for a file of `bytes` bytes, or null when it is no SRTM tile size. */
export function hgtSizeFromBytes(bytes: number): number | null {
  if (bytes === 1201 * 1201 * 2) return 1201;
  if (bytes === 3601 * 3601 * 2) return 3601;
  return null;
}

/** South-west corner from a tile name such as `N42E001.hgt`, or null. */
export function parseHgtName(name: string): { south: number; west: number } | null {
  const m = /^([NS])(\d{2})([EW])(\d{3})\.hgt$/i.exec(name);
  if (!m) return null;
  const south = Number(m[2]) * (m[1].toUpperCase() === 'S' ? -1 : 1);
  const west = Number(m[4]) * (m[3].toUpperCase() === 'W' ? -1 : 1);
  if (south < -90 || south > 89 || west < -180 || west > 179) return null;
  return { south, west };
}

/** Decodes the raw bytes of a tile once into an Int16Array (host byte order). */
export function decodeHgt(bytes: Uint8Array, south: number, west: number, source = 'tile'): HgtTile {
  const size = hgtSizeFromBytes(bytes.length);
  if (size === null) {
    throw new GeoError('DEM_INVALID', `${source}: ${bytes.length} bytes is not an SRTM tile (expected 2,884,802 for 3″ or 25,934,402 for 1″)`);
  }
  const data = new Int16Array(size * size);
  for (let i = 0, j = 0; i < data.length; i++, j += 2) data[i] = (bytes[j] << 8) | bytes[j + 1];
  return { south, west, size, data };
}

/**
 * Bilinear elevation in metres at (lon, lat) inside the tile; NaN outside it. Void corners are
 * left out and the remaining weights renormalised while the valid corners hold at least half of
 * the bilinear weight; NaN otherwise (and always when all four corners are void).
 */
export function sampleHgt(tile: HgtTile, lon: number, lat: number): number {
  const n = tile.size - 1;
  const r = (tile.south + 1 - lat) * n;
  const c = (lon - tile.west) * n;
  if (!(r >= 0 && r <= n && c >= 0 && c <= n)) return NaN;
  let r0 = Math.floor(r);
  let c0 = Math.floor(c);
  if (r0 >= n) r0 = n - 1;
  if (c0 >= n) c0 = n - 1;
  const fr = r - r0;
  const fc = c - c0;
  const d = tile.data;
  const i = r0 * tile.size + c0;
  const v00 = d[i];
  const v01 = d[i + 1];
  const v10 = d[i + tile.size];
  const v11 = d[i + tile.size + 1];
  const w00 = (1 - fr) * (1 - fc);
  const w01 = (1 - fr) * fc;
  const w10 = fr * (1 - fc);
  const w11 = fr * fc;
  if (v00 !== HGT_VOID && v01 !== HGT_VOID && v10 !== HGT_VOID && v11 !== HGT_VOID) {
    return v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11;
  }
  // Voids: use the valid corners, weights renormalised, only while they carry at least half of
  // the weight. Nearer to the voids than to valid data the value would be an extrapolation, and
  // SRTM voids sit in gorges and on steep slopes where that extrapolation is badly biased.
  let sum = 0;
  let wsum = 0;
  if (v00 !== HGT_VOID) (sum += v00 * w00), (wsum += w00);
  if (v01 !== HGT_VOID) (sum += v01 * w01), (wsum += w01);
  if (v10 !== HGT_VOID) (sum += v10 * w10), (wsum += w10);
  if (v11 !== HGT_VOID) (sum += v11 * w11), (wsum += w11);
  return wsum >= 0.5 ? sum / wsum : NaN;
}
