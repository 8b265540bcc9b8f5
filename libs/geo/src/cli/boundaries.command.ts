/**
 * `roadloop-geo boundaries`: OSM extract → GeoJSON FeatureCollection of administrative areas
 * (Polygon/MultiPolygon features with `id`, `name`, `adminLevel`, `osmRelationId`), the input of
 * `task-service jurisdictions --geojson`. Relations that do not close or make no valid area are
 * warnings on stderr; the one-line summary goes to stdout. Exit 0 when at least one boundary was
 * written, 1 when none (or on any failure), 2 on bad usage.
 */
import { rename, unlink, writeFile } from 'node:fs/promises';
import { extractBoundaries, type BoundaryCollection, type BoundaryProblem } from '../boundaries/boundary-extractor';
import { parseFlags, reportCommandError } from './flags';
import { GeoError } from '../geo.exception';
import { exitCodeOf } from './score.command';

const USAGE = `usage: roadloop-geo boundaries --osm <file.osm.pbf|.osm> [--admin-level 7[,8…]] --out <file.geojson>`;

export interface BoundariesArgs {
  osm: string;
  out: string;
  adminLevels: number[];
}

const FLAGS = new Set(['--osm', '--out', '--admin-level']);

/** Parses the command's arguments; throws GeoError ARGUMENT_INVALID with the reason. */
export function parseBoundariesArgs(argv: readonly string[]): BoundariesArgs | 'help' {
  const values = parseFlags(argv, FLAGS);
  if (values === 'help') return 'help';
  const osm = values.get('--osm');
  const out = values.get('--out');
  if (!osm) throw new GeoError('ARGUMENT_INVALID', '--osm is required');
  if (!out) throw new GeoError('ARGUMENT_INVALID', '--out is required');
  const raw = values.get('--admin-level') ?? '7';
  const adminLevels = raw.split(',').map((s) => s.trim());
  if (adminLevels.some((s) => !/^\d{1,2}$/.test(s))) {
    throw new GeoError('ARGUMENT_INVALID', `--admin-level takes whole numbers separated by commas (e.g. 7 or 7,8), got "${raw}"`);
  }
  return { osm, out, adminLevels: [...new Set(adminLevels.map(Number))].sort((a, b) => a - b) };
}

const levelText = (levels: readonly number[]) => `admin level${levels.length > 1 ? 's' : ''} ${levels.join(', ')}`;
const label = (p: BoundaryProblem) => `${p.name ?? 'unnamed'} (r${p.osmRelationId})`;

/** `6 not closed: Canillo (r2804754), …; 1 invalid: …` (empty when there are no problems). */
function problemsText(problems: readonly BoundaryProblem[]): string {
  const groups: [string, BoundaryProblem[]][] = [
    ['not closed', problems.filter((p) => p.kind === 'not-closed')],
    ['invalid', problems.filter((p) => p.kind === 'invalid')],
  ];
  return groups
    .filter(([, list]) => list.length > 0)
    .map(([what, list]) => `${list.length} ${what}: ${list.map(label).join(', ')}`)
    .join('; ');
}

function boundariesSummaryLine(written: number, levels: readonly number[], out: string, problems: readonly BoundaryProblem[]): string {
  const tail = problemsText(problems);
  return `wrote ${written} ${written === 1 ? 'boundary' : 'boundaries'} (${levelText(levels)}) → ${out}${tail ? `; ${tail}` : ''}`;
}

/** Writes the collection atomically (temporary file, then rename), one feature per line. */
async function writeBoundaries(collection: BoundaryCollection, adminLevels: readonly number[], out: string): Promise<void> {
  const meta = { adminLevels, attribution: 'Map data © OpenStreetMap contributors (ODbL)' };
  const text =
    `{"type":"FeatureCollection","roadloop":${JSON.stringify(meta)},"features":[\n` +
    collection.features.map((f) => JSON.stringify(f)).join(',\n') +
    '\n]}\n';
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, out);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new GeoError('OUTPUT_FAILED', `${out}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
}

export interface BoundariesCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runBoundaries(argv: string[], io: BoundariesCommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { stdout, stderr } = io;
  try {
    const args = parseBoundariesArgs(argv);
    if (args === 'help') {
      stdout.write(`${USAGE}\n`);
      return 0;
    }
    const { collection, problems } = await extractBoundaries(args.osm, { adminLevels: args.adminLevels });
    for (const p of problems) {
      stderr.write(`roadloop-geo boundaries: warning: ${label(p)}, admin level ${p.adminLevel}, ${p.kind === 'invalid' ? 'invalid' : 'not closed'}: ${p.reason}\n`);
    }
    const written = collection.features.length;
    if (written === 0) {
      const tail = problemsText(problems);
      stderr.write(`roadloop-geo boundaries: error: no boundary of ${levelText(args.adminLevels)} in ${args.osm}${tail ? ` closes (${tail})` : ''}; nothing written\n`);
      return 1;
    }
    await writeBoundaries(collection, args.adminLevels, args.out);
    stdout.write(`${boundariesSummaryLine(written, args.adminLevels, args.out, problems)}\n`);
    return 0;
  } catch (err) {
    return reportCommandError('boundaries', USAGE, err, stderr, exitCodeOf);
  }
}
