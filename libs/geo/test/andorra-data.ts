/**
 * Where the Andorra test data lives: outside the repository, at ../shared/data/andorra from the
 * repository root; ROADLOOP_DATA_DIR overrides the folder. Tests fail (not skip) without it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const ANDORRA_DIR = process.env.ROADLOOP_DATA_DIR ?? resolve(__dirname, '../../../../shared/data/andorra');

export function andorraFile(name: string): string {
  const path = resolve(ANDORRA_DIR, name);
  if (!existsSync(path)) throw new Error(`Andorra test data not found: ${path} (set ROADLOOP_DATA_DIR)`);
  return path;
}
