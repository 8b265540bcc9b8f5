import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { andorraFile } from '../../test/andorra-data';
import { GeoError } from '../geo.exception';
import { HgtTileSet, loadDem } from './elevation-model';
import type { HgtTile } from './hgt-tile';

const flat = (south: number, west: number, z: number): HgtTile => ({ south, west, size: 1201, data: new Int16Array(1201 * 1201).fill(z) });

describe(HgtTileSet.name, () => {
  it('reads several tiles side by side, including their shared edges', () => {
    const set = HgtTileSet.fromTiles([flat(42, 1, 1000), flat(42, 2, 2000), flat(43, 1, 3000)]);
    expect(set.elevationAt(1.5, 42.5)).toBe(1000);
    expect(set.elevationAt(2.5, 42.5)).toBe(2000);
    expect(set.elevationAt(1.5, 43.5)).toBe(3000);
    // On a shared edge either neighbour answers; both hold the same samples in real data.
    expect([1000, 2000]).toContain(set.elevationAt(2, 42.5));
    // The north edge of the top tile has no neighbour above: still inside that tile.
    expect(set.elevationAt(1.5, 44)).toBe(3000);
    expect(set.elevationAt(5.5, 42.5)).toBeNaN();
  });
});

describe(loadDem.name, () => {
  it('lists a directory, leaves out bad tiles with warnings, and decodes lazily', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-dem-'));
    try {
      symlinkSync(andorraFile('N42E001.hgt'), join(dir, 'N42E001.hgt'));
      writeFileSync(join(dir, 'N42E002.hgt'), Buffer.alloc(1000)); // wrong size
      writeFileSync(join(dir, 'elevation.hgt'), Buffer.alloc(2884802)); // not a tile name
      writeFileSync(join(dir, 'notes.txt'), 'ignored');
      const { model, tiles, warnings } = await loadDem(dir);
      expect(tiles.map((t) => [t.south, t.west, t.arcSeconds])).toEqual([[42, 1, 3]]);
      expect(warnings).toHaveLength(2);
      expect(warnings.join('\n')).toMatch(/N42E002\.hgt: wrong size/);
      expect(warnings.join('\n')).toMatch(/elevation\.hgt: not named like an SRTM tile/);
      expect(model.elevationAt(1.5218, 42.5063)).toBeCloseTo(1017.4, 1);
      expect(model.elevationAt(2.5, 42.5)).toBeNaN(); // the wrong-size tile's area is unknown
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a tile that became unreadable after listing, as unknown terrain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-dem-'));
    try {
      const file = join(dir, 'N42E001.hgt');
      writeFileSync(file, Buffer.alloc(2884802));
      const { model } = await loadDem(file);
      rmSync(file);
      expect(model.elevationAt(1.5, 42.5)).toBeNaN();
      expect(model.warnings[0]).toMatch(/unreadable elevation tile/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with DEM_NOT_FOUND for a path that does not exist', async () => {
    await expect(loadDem('/nonexistent/N42E001.hgt')).rejects.toMatchObject({ code: 'DEM_NOT_FOUND' });
    await expect(loadDem('/nonexistent')).rejects.toBeInstanceOf(GeoError);
  });
});
