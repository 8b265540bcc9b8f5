import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGeoJsonFeatures } from './geojson-feature.reader';
import { MatchErrorCode, MatchException } from './match.exception';

function feature(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'Feature', properties: { id, ...extra }, geometry: { type: 'LineString', coordinates: [[1.5, 42.5], [1.51, 42.5]] } };
}

/** Writes `text` to a fresh temporary file, runs `fn` on its path, then removes it. */
async function withFile<T>(text: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'roadloop-features-'));
  try {
    const path = join(dir, 'features.geojson');
    writeFileSync(path, text);
    return await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function all(path: string, chunkBytes?: number): Promise<unknown[]> {
  const features: unknown[] = [];
  for await (const f of readGeoJsonFeatures(path, { chunkBytes })) features.push(f);
  return features;
}

describe(readGeoJsonFeatures.name, () => {
  const features = [feature('a', { name: 'Sant Julià ] } "x"' }), feature('é→ü'), feature('c', { factors: [{ k: 1 }] })];
  const text = JSON.stringify({ name: 'roads', type: 'FeatureCollection', features }, null, 1);

  it('gives every feature in order, whatever the read chunk size', async () => {
    await withFile(text, async (path) => {
      expect(await all(path)).toEqual(features);
      for (const size of [1, 3, 7, 64]) expect(await all(path, size)).toEqual(features);
    });
  });

  it('passes on elements that are not objects, for the caller to reject by index', async () => {
    const odd = [feature('a'), 7, 'x', null, [1, 2], { type: 'Feature' }];
    await withFile(JSON.stringify({ type: 'FeatureCollection', features: odd }), async (path) => {
      expect(await all(path, 5)).toEqual(odd);
    });
  });

  it('hands out the first features before it has read the rest of the file', async () => {
    // A file cut short: the features before the cut are given before the truncation is found.
    const cut = text.slice(0, text.lastIndexOf('"c"'));
    await withFile(cut, async (path) => {
      const reader = readGeoJsonFeatures(path, { chunkBytes: 64 });
      expect((await reader.next()).value).toEqual(features[0]);
      expect((await reader.next()).value).toEqual(features[1]);
      await expect(reader.next()).rejects.toMatchObject({ code: MatchErrorCode.TruncatedGeoJson });
    });
  });

  it('refuses a file that is not a FeatureCollection, naming the file', async () => {
    await withFile(JSON.stringify({ type: 'Feature', features: [] }), async (path) => {
      const err = await all(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MatchException);
      expect((err as MatchException).code).toBe(MatchErrorCode.InvalidGeoJson);
    });
    await withFile('[1, 2]', async (path) => {
      await expect(all(path)).rejects.toThrow(`${path}: expected a GeoJSON FeatureCollection object`);
    });
  });

  it('says a missing file is unreadable', async () => {
    await expect(all('/nonexistent/features.geojson')).rejects.toMatchObject({ code: MatchErrorCode.UnreadableFile });
  });
});
