/**
 * Elevation from one or more SRTM tiles side by side. Tiles are found by name, checked by size
 * when listed, and decoded the first time a sample falls in them, so a directory of many tiles
 * costs only the tiles the roads touch.
 */
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { GeoError } from '../geo.exception';
import { decodeHgt, hgtSizeFromBytes, parseHgtName, sampleHgt, type HgtTile } from './hgt-tile';

/** Elevation in metres above the geoid at a point, NaN where unknown (void or no tile). */
export interface ElevationModel {
  elevationAt(lon: number, lat: number): number;
}

export interface DemTileInfo {
  readonly file: string;
  readonly south: number;
  readonly west: number;
  readonly arcSeconds: 1 | 3;
}

interface Entry {
  readonly info: DemTileInfo | null;
  tile: HgtTile | null;
  failed: boolean;
}


const key = (south: number, west: number) => (south + 90) * 360 + (west + 180);

export class HgtTileSet implements ElevationModel {
  private readonly entries = new Map<number, Entry>();
  private last: HgtTile | null = null;
  /** Problems met while decoding lazily (a tile unreadable after it was listed). */
  readonly warnings: string[] = [];

  static fromTiles(tiles: readonly HgtTile[]): HgtTileSet {
    const set = new HgtTileSet();
    for (const t of tiles) set.entries.set(key(t.south, t.west), { info: null, tile: t, failed: false });
    return set;
  }

  static fromFiles(infos: readonly DemTileInfo[]): HgtTileSet {
    const set = new HgtTileSet();
    for (const info of infos) set.entries.set(key(info.south, info.west), { info, tile: null, failed: false });
    return set;
  }

  get tileCount(): number {
    return this.entries.size;
  }

  elevationAt(lon: number, lat: number): number {
    const last = this.last;
    if (last !== null && lat >= last.south && lat <= last.south + 1 && lon >= last.west && lon <= last.west + 1) {
      return sampleHgt(last, lon, lat);
    }
    const s = Math.floor(lat);
    const w = Math.floor(lon);
    // A point on a tile's north or east edge also lies on the neighbour's south or west edge.
    const tile = this.tile(s, w) ?? (lat === s ? this.tile(s - 1, w) : null) ?? (lon === w ? this.tile(s, w - 1) : null) ?? (lat === s && lon === w ? this.tile(s - 1, w - 1) : null);
    if (!tile) return NaN;
    this.last = tile;
    return sampleHgt(tile, lon, lat);
  }

  private tile(south: number, west: number): HgtTile | null {
    const e = this.entries.get(key(south, west));
    if (!e || e.failed) return null;
    if (e.tile) return e.tile;
    const info = e.info!;
    try {
      e.tile = decodeHgt(readFileSync(info.file), info.south, info.west, info.file);
    } catch (err) {
      e.failed = true;
      this.warnings.push(`${info.file}: unreadable elevation tile (${(err as Error).message}); its area has unknown terrain`);
      return null;
    }
    return e.tile;
  }
}

export interface DemLoadResult {
  model: HgtTileSet;
  tiles: DemTileInfo[];
  /** Files left out (wrong size or name): their area has unknown terrain. */
  warnings: string[];
}

async function inspect(file: string, warnings: string[]): Promise<DemTileInfo | null> {
  const name = basename(file);
  const corner = parseHgtName(name);
  if (!corner) {
    warnings.push(`${file}: not named like an SRTM tile (e.g. N42E001.hgt); skipped`);
    return null;
  }
  const size = hgtSizeFromBytes((await stat(file)).size);
  if (size === null) {
    warnings.push(`${file}: wrong size for an SRTM tile (expected 2,884,802 or 25,934,402 bytes); skipped, its area has unknown terrain`);
    return null;
  }
  return { file, south: corner.south, west: corner.west, arcSeconds: size === 3601 ? 1 : 3 };
}

/**
 * Lists the tiles of a `.hgt` file or a directory of them. A path that does not exist is an
 * error; a tile of the wrong size or name is left out with a warning (terrain there is unknown).
 */
export async function loadDem(path: string): Promise<DemLoadResult> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new GeoError('DEM_NOT_FOUND', `${path}: elevation file or directory not found`, { cause: err });
  }
  const warnings: string[] = [];
  const infos: DemTileInfo[] = [];
  const files = isDir ? (await readdir(path)).filter((f) => f.toLowerCase().endsWith('.hgt')).sort().map((f) => join(path, f)) : [path];
  for (const file of files) {
    const info = await inspect(file, warnings);
    if (!info) continue;
    const dup = infos.find((t) => t.south === info.south && t.west === info.west);
    if (dup) {
      // 1″ beats 3″ for the same cell; otherwise the first file wins.
      if (info.arcSeconds < dup.arcSeconds) infos.splice(infos.indexOf(dup), 1, info);
      warnings.push(`${file}: a second tile for the same cell; using ${info.arcSeconds < dup.arcSeconds ? file : dup.file}`);
      continue;
    }
    infos.push(info);
  }
  if (isDir && files.length === 0) warnings.push(`${path}: no .hgt files in the directory; terrain is unknown everywhere`);
  return { model: HgtTileSet.fromFiles(infos), tiles: infos, warnings };
}
