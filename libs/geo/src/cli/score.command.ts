/**
 * `roadloop-geo score`: OSM extract + SRTM tiles → GeoJSON of scored segments. Progress goes to
 * stderr on a terminal only; the one-line summary goes to stdout; errors print their code.
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { scoreFiles, type ScoreResult, type ScoreSummary } from '../engine';
import { GeoError, type GeoErrorCode } from '../geo.exception';
import { parseFlags, reportCommandError } from './flags';

const USAGE = `usage: roadloop-geo score --osm <file.osm.pbf|.osm> --dem <file.hgt|directory> --out <file.geojson>
                          [--max-segment-m <metres>] [--config <file.json>]`;

export interface ScoreArgs {
  osm: string;
  dem: string | null;
  out: string;
  maxSegmentM?: number;
  config: string | null;
}

const FLAGS = new Set(['--osm', '--dem', '--out', '--max-segment-m', '--config']);

/** Parses the command's arguments; throws GeoError ARGUMENT_INVALID with the reason. */
export function parseScoreArgs(argv: readonly string[]): ScoreArgs | 'help' {
  const values = parseFlags(argv, FLAGS);
  if (values === 'help') return 'help';
  const osm = values.get('--osm');
  const out = values.get('--out');
  if (!osm) throw new GeoError('ARGUMENT_INVALID', '--osm is required');
  if (!out) throw new GeoError('ARGUMENT_INVALID', '--out is required');
  const args: ScoreArgs = { osm, out, dem: values.get('--dem') ?? null, config: values.get('--config') ?? null };
  const max = values.get('--max-segment-m');
  if (max !== undefined) {
    const n = Number(max);
    if (!(Number.isFinite(n) && n > 0)) throw new GeoError('ARGUMENT_INVALID', `--max-segment-m must be a positive number of metres, got "${max}"`);
    args.maxSegmentM = n;
  }
  return args;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The one-line summary; `totalMs` (reading, scoring and writing) defaults to the summary's time. */
function summaryLine(summary: ScoreSummary, out: string, totalMs = summary.elapsedMs): string {
  const terrain = summary.terrainAvailable ? `${fmt(summary.unknownTerrain)} with unknown terrain` : 'terrain unknown (no elevation data)';
  return (
    `scored ${fmt(summary.segments)} segments (${fmt(summary.roadWays)} ways, ${summary.lengthKm.toFixed(1)} km) → ${out}: ` +
    `${fmt(summary.waterSide)} water-side, ${fmt(summary.cliffSide)} cliff-side, ${terrain}; ` +
    `${(totalMs / 1000).toFixed(2)} s`
  );
}

/** Writes the FeatureCollection feature by feature (no giant string), atomically via rename. */
export async function writeGeoJson(result: ScoreResult, out: string): Promise<void> {
  const tmp = `${out}.tmp-${process.pid}`;
  const stream = createWriteStream(tmp, { encoding: 'utf8' });
  const failed = once(stream, 'error').then(([err]) => {
    throw new GeoError('OUTPUT_FAILED', `${out}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  });
  failed.catch(() => undefined);
  const write = async (chunk: string) => {
    if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), failed]);
  };
  try {
    const meta = {
      configVersion: result.summary.configVersion,
      maxSegmentM: result.summary.maxSegmentM,
      attribution: 'Map data © OpenStreetMap contributors (ODbL); elevation: SRTM, NASA/USGS',
    };
    await write(`{"type":"FeatureCollection","roadloop":${JSON.stringify(meta)},"features":[\n`);
    const features = result.segments.features;
    for (let i = 0; i < features.length; i++) await write((i > 0 ? ',\n' : '') + JSON.stringify(features[i]));
    await write('\n]}\n');
    stream.end();
    await Promise.race([once(stream, 'finish'), failed]);
    await rename(tmp, out);
  } catch (err) {
    stream.destroy();
    await unlink(tmp).catch(() => undefined);
    if (err instanceof GeoError) throw err;
    throw new GeoError('OUTPUT_FAILED', `${out}: cannot write (${(err as Error).message})`, { cause: err });
  }
}

function progressBar(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  let lastPct = -1;
  return (done, total) => {
    const pct = total === 0 ? 100 : Math.floor((100 * done) / total);
    if (pct === lastPct) return;
    lastPct = pct;
    const width = 30;
    const filled = Math.round((width * pct) / 100);
    stream.write(`\rscoring [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${fmt(done)}/${fmt(total)} segments`);
    if (done === total) stream.write('\n');
  };
}

/** Exit code for an engine error: 2 for bad usage, 1 for everything else. */
export function exitCodeOf(code: GeoErrorCode): number {
  switch (code) {
    case 'ARGUMENT_INVALID':
      return 2;
    case 'INPUT_NOT_FOUND':
    case 'OSM_UNSUPPORTED_FORMAT':
    case 'OSM_INVALID':
    case 'OSM_TRUNCATED':
    case 'OSM_UNSUPPORTED_FEATURE':
    case 'OSM_EMPTY':
    case 'DEM_NOT_FOUND':
    case 'DEM_INVALID':
    case 'CONFIG_INVALID':
    case 'OUTPUT_FAILED':
      return 1;
    default:
      return assertUnreachable(code);
  }
}

function assertUnreachable(x: never): never {
  throw new Error(`unhandled error code ${String(x)}`);
}

export interface ScoreCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
}

export async function runScore(argv: string[], io: ScoreCommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { stdout, stderr } = io;
  try {
    const args = parseScoreArgs(argv);
    if (args === 'help') {
      stdout.write(`${USAGE}\n`);
      return 0;
    }
    const started = performance.now();
    const tty = 'isTTY' in stderr && stderr.isTTY === true;
    if (tty) stderr.write('reading OSM extract and elevation tiles…\n');
    const result = await scoreFiles({
      osmPath: args.osm,
      demPath: args.dem,
      configPath: args.config,
      maxSegmentM: args.maxSegmentM,
      onProgress: tty ? progressBar(stderr as NodeJS.WriteStream) : undefined,
    });
    await writeGeoJson(result, args.out);
    for (const w of result.summary.warnings) stderr.write(`roadloop-geo score: warning: ${w}\n`);
    stdout.write(`${summaryLine(result.summary, args.out, performance.now() - started)}\n`);
    return 0;
  } catch (err) {
    return reportCommandError('score', USAGE, err, stderr, exitCodeOf);
  }
}
