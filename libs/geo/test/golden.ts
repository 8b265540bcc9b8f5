/**
 * Golden fixtures, as Turf does them: `test/<topic>/in/*.geojson` are inputs (parameters in the
 * collection's `properties`), `test/<topic>/out/*.geojson` the expected outputs. `REGEN=1`
 * rewrites the expected files — read the diff before committing them.
 */
import { expect } from '@jest/globals';
import type { FeatureCollection } from 'geojson';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type FixtureCollection = FeatureCollection & { properties?: Record<string, unknown> };

export interface GoldenCase {
  name: string;
  input: FixtureCollection;
  params: Record<string, unknown>;
  outPath: string;
}

export const TEST_ROOT = resolve(__dirname);

export function goldenCases(topic: string): GoldenCase[] {
  const dir = join(TEST_ROOT, topic, 'in');
  const files = readdirSync(dir).filter((f) => f.endsWith('.geojson')).sort();
  if (files.length === 0) throw new Error(`no fixtures in ${dir}`);
  return files.map((f) => {
    const input = JSON.parse(readFileSync(join(dir, f), 'utf8')) as FixtureCollection;
    return { name: f.replace(/\.geojson$/, ''), input, params: input.properties ?? {}, outPath: join(TEST_ROOT, topic, 'out', f) };
  });
}

/** Compares with the stored output, or writes it when REGEN=1. */
export function expectGolden(c: GoldenCase, actual: FixtureCollection): void {
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.REGEN === '1') {
    mkdirSync(join(c.outPath, '..'), { recursive: true });
    writeFileSync(c.outPath, text);
    return;
  }
  if (!existsSync(c.outPath)) throw new Error(`missing golden ${c.outPath}: run with REGEN=1 and review it`);
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(c.outPath, 'utf8')));
}
