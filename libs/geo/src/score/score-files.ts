/**
 * Scoring from files: reads the configuration, the SRTM tiles and the OSM extract, then scores the
 * network with the pure scoreNetwork (used by the CLI and by the risk-service import).
 */
import { readFile } from 'node:fs/promises';
import { loadDem, type HgtTileSet } from '../dem/elevation-model';
import { GeoError } from '../geo.exception';
import { extractNetwork } from '../osm/network-extractor';
import { resolveScoreConfig } from './score.config';
import { scoreNetwork, type ScoreResult } from './score-network';

export interface ScoreFilesOptions {
  /** OSM extract, PBF or XML (detected from the content). */
  osmPath: string;
  /** An SRTM `.hgt` tile or a directory of tiles; omitted → terrain unknown everywhere. */
  demPath?: string | null;
  /** A partial configuration (merged over the defaults) or a resolved one. */
  config?: unknown;
  /** Path of a JSON file with a partial configuration (applied before `config`). */
  configPath?: string | null;
  /** Overrides config.segmentation.maxSegmentM. */
  maxSegmentM?: number;
  /** Score an extract without roads instead of failing with OSM_EMPTY. */
  allowEmpty?: boolean;
  onProgress?: (done: number, total: number) => void;
}

async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new GeoError('INPUT_NOT_FOUND', `${path}: cannot read configuration file`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GeoError('CONFIG_INVALID', `${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

function mergeOverrides(...parts: unknown[]): unknown {
  const out: Record<string, unknown> = {};
  const merge = (target: Record<string, unknown>, src: unknown) => {
    if (typeof src !== 'object' || src === null || Array.isArray(src)) return;
    for (const [k, v] of Object.entries(src)) {
      const t = target[k];
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof t === 'object' && t !== null && !Array.isArray(t)) {
        const copy = { ...(t as Record<string, unknown>) };
        merge(copy, v);
        target[k] = copy;
      } else target[k] = v;
    }
  };
  for (const p of parts) merge(out, p);
  return out;
}

/** Reads the files, scores the network, and reports reading time in the summary too. */
export async function scoreFiles(options: ScoreFilesOptions): Promise<ScoreResult> {
  const started = performance.now();
  if (options.maxSegmentM !== undefined && !(options.maxSegmentM > 0 && Number.isFinite(options.maxSegmentM))) {
    throw new GeoError('ARGUMENT_INVALID', `maxSegmentM must be a positive number, got ${options.maxSegmentM}`);
  }
  if (options.config !== undefined && (typeof options.config !== 'object' || options.config === null || Array.isArray(options.config))) {
    throw new GeoError('CONFIG_INVALID', 'score configuration must be an object');
  }
  const fromFile = options.configPath ? await readConfigFile(options.configPath) : undefined;
  if (fromFile !== undefined && (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))) {
    throw new GeoError('CONFIG_INVALID', `${options.configPath}: the configuration must be a JSON object`);
  }
  const overrides = [fromFile, options.config, options.maxSegmentM !== undefined ? { segmentation: { maxSegmentM: options.maxSegmentM } } : undefined].filter(
    (o) => o !== undefined,
  );
  const config = resolveScoreConfig(overrides.length > 0 ? mergeOverrides(...overrides) : undefined);

  const warnings: string[] = [];
  let dem: HgtTileSet | null = null;
  if (options.demPath) {
    const loaded = await loadDem(options.demPath);
    warnings.push(...loaded.warnings);
    dem = loaded.tiles.length > 0 ? loaded.model : null;
  }
  const { network } = await extractNetwork(options.osmPath, { roadClasses: config.roads.classes });
  if (network.roads.length === 0 && !options.allowEmpty) {
    throw new GeoError('OSM_EMPTY', `${options.osmPath}: no road ways of the scored classes (${config.roads.classes.join(', ')}) in the extract`);
  }
  const result = scoreNetwork({ network, dem, config, onProgress: options.onProgress });
  if (dem) warnings.push(...dem.warnings);
  result.summary.warnings.unshift(...warnings);
  result.summary.elapsedMs = Math.round(performance.now() - started);
  return result;
}
