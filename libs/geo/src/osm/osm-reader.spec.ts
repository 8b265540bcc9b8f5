import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { andorraFile } from '../../test/andorra-data';
import { detectOsmFormat, readOsm } from './osm-reader';

function withTmp(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-osm-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('OSM PBF reader on the Andorra extract', () => {
  it('reads every element, as osmium does (README counts), and the header box', async () => {
    let nodes = 0;
    let ways = 0;
    let relations = 0;
    let minLon = Infinity;
    let maxLat = -Infinity;
    const stats = await readOsm(andorraFile('andorra.osm.pbf'), {
      node(_id, lon, lat) {
        nodes++;
        minLon = Math.min(minLon, lon);
        maxLat = Math.max(maxLat, lat);
      },
      way: () => void ways++,
      relation: () => void relations++,
    });
    expect([nodes, ways, relations]).toEqual([69644, 2725, 74]);
    expect(stats).toMatchObject({ format: 'pbf', nodes: 69644, ways: 2725, relations: 74 });
    expect(stats.bbox).toEqual([1.422104, 42.43509, 1.780386, 42.65717]);
    // README: bounding box of all nodes 1.0366421, 41.7369089, 1.8252606, 42.7883379.
    expect(minLon).toBe(1.0366421);
    expect(maxLat).toBe(42.7883379);
  });

  it('decodes only the kinds a visitor asks for, but still counts all', async () => {
    const seen: string[] = [];
    const stats = await readOsm(andorraFile('andorra.osm.pbf'), { relation: (r) => void seen.push(r.tags.type ?? '') });
    expect(seen).toHaveLength(74);
    expect(seen).toContain('multipolygon');
    expect(stats.nodes).toBe(69644);
  });

  it('gives node tags when asked', async () => {
    let tagged = 0;
    await readOsm(andorraFile('andorra.osm.pbf'), { nodeTags: true, node: (_i, _x, _y, tags) => void (tags && Object.keys(tags).length > 0 && tagged++) });
    expect(tagged).toBeGreaterThan(0);
  });
});

describe('bad OSM input', () => {
  it(
    'reports a truncated PBF file with OSM_TRUNCATED',
    withTmp(async (dir) => {
      const file = join(dir, 'cut.osm.pbf');
      writeFileSync(file, readFileSync(andorraFile('andorra.osm.pbf')).subarray(0, 200_000));
      await expect(readOsm(file, { way: () => undefined })).rejects.toMatchObject({ code: 'OSM_TRUNCATED' });
    }),
  );

  it(
    'reports corrupt compressed data with OSM_INVALID, not a crash',
    withTmp(async (dir) => {
      const bytes = Buffer.from(readFileSync(andorraFile('andorra.osm.pbf')));
      for (let i = 1000; i < 1400; i++) bytes[i] ^= 0x5a;
      const file = join(dir, 'corrupt.osm.pbf');
      writeFileSync(file, bytes);
      await expect(readOsm(file, { node: () => undefined })).rejects.toMatchObject({ code: 'OSM_INVALID' });
    }),
  );

  it(
    'tells non-OSM files, empty files and compressed files apart',
    withTmp(async (dir) => {
      const text = join(dir, 'notes.osm.pbf');
      writeFileSync(text, 'hello, this is not map data\n');
      await expect(detectOsmFormat(text)).rejects.toMatchObject({ code: 'OSM_INVALID' });
      const json = join(dir, 'data.osm');
      writeFileSync(json, '{"type":"FeatureCollection"}');
      await expect(detectOsmFormat(json)).rejects.toMatchObject({ code: 'OSM_INVALID' });
      const empty = join(dir, 'empty.osm.pbf');
      writeFileSync(empty, '');
      await expect(detectOsmFormat(empty)).rejects.toMatchObject({ code: 'OSM_INVALID' });
      const gz = join(dir, 'x.osm.gz');
      writeFileSync(gz, gzipSync('<osm version="0.6"></osm>'));
      await expect(detectOsmFormat(gz)).rejects.toMatchObject({ code: 'OSM_UNSUPPORTED_FORMAT' });
      const html = join(dir, 'page.osm');
      writeFileSync(html, '<html><body>404</body></html>');
      await expect(readOsm(html, {})).rejects.toMatchObject({ code: 'OSM_INVALID' });
      await expect(detectOsmFormat(join(dir, 'missing.osm'))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
      await expect(detectOsmFormat(dir)).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
    }),
  );

  it(
    'detects PBF and XML by content whatever the file is called',
    withTmp(async (dir) => {
      const xml = join(dir, 'really-xml.pbf');
      writeFileSync(xml, '\uFEFF<?xml version="1.0"?>\n<osm version="0.6"></osm>');
      expect(await detectOsmFormat(xml)).toBe('xml');
      expect(await detectOsmFormat(andorraFile('andorra.osm.pbf'))).toBe('pbf');
    }),
  );
});
