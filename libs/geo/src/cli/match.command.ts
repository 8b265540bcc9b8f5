import { open, rename, unlink } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { MatchException } from '../match/match.exception';
import { loadSegmentsGeoJson } from '../match/segment-geojson.loader';
import { MAX_TOLERANCE_M, SegmentMatcher } from '../match/segment-matcher';

const DEFAULT_TOLERANCE_M = 50;

const HELP = `usage: roadloop-geo match --segments <file.geojson> --points <file.csv> --out <file.csv> [--tolerance-m N]

Matches each point to the nearest road segment within the tolerance.

  --segments FILE     GeoJSON FeatureCollection of LineString features, each with an id in
                      properties.id (or the feature's id)
  --points FILE       CSV whose first line is the header "lon,lat" (WGS84 degrees); blank lines
                      are skipped; fields may be wrapped in double quotes
  --out FILE          CSV written with the header "lon,lat,segmentId,distanceM,offsetM": one row
                      per input row, in input order; lon and lat are copied as given; distanceM
                      (point to segment) and offsetM (along the segment from its first vertex)
                      are metres with 2 decimals; segmentId, distanceM and offsetM are empty when
                      no segment lies within the tolerance
  --tolerance-m N     search radius in metres, 0 to ${MAX_TOLERANCE_M} (default ${DEFAULT_TOLERANCE_M})
  -h, --help          show this help

Invalid input stops the run: a wrong header, a row without exactly two columns, a value that is
not a number, lon outside [-180, 180] or lat outside [-90, 90] is reported with its line number
and no output file is written (the output is written to a temporary file and renamed only when
every row matched cleanly), so a partial or silently wrong result never replaces a good one.

Exit status: 0 on success, 2 on invalid arguments or input, 1 on an unexpected failure.
A one-line summary (rows, matched, unmatched, time) is printed on standard output.`;

/** Where the command writes; tests pass their own. */
export interface CommandOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

interface MatchArgs {
  readonly segments: string;
  readonly points: string;
  readonly out: string;
  readonly toleranceM: number;
}

/** A problem with the user's arguments or files: reported in one line, exit status 2. */
class InputError extends Error {}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseArgs(argv: readonly string[]): MatchArgs | 'help' {
  const values = new Map<string, string>();
  const known = new Set(['--segments', '--points', '--out', '--tolerance-m']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const eq = arg.indexOf('=');
    const name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    if (!known.has(name)) throw new InputError(`unknown argument "${arg}"`);
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new InputError(`${name} needs a value`);
    if (values.has(name)) throw new InputError(`${name} is given twice`);
    values.set(name, value);
  }
  const required = (name: string): string => {
    const value = values.get(name);
    if (value === undefined) throw new InputError(`${name} is required`);
    return value;
  };
  const toleranceText = values.get('--tolerance-m');
  const toleranceM = toleranceText === undefined ? DEFAULT_TOLERANCE_M : NUMBER.test(toleranceText) ? Number(toleranceText) : NaN;
  if (!(toleranceM >= 0 && toleranceM <= MAX_TOLERANCE_M)) {
    throw new InputError(`--tolerance-m must be a number of metres in [0, ${MAX_TOLERANCE_M}], got "${toleranceText}"`);
  }
  return { segments: required('--segments'), points: required('--points'), out: required('--out'), toleranceM };
}

function unquote(field: string): string {
  const f = field.trim();
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).replace(/""/g, '"').trim() : f;
}

/** A CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function parseCoordinate(text: string, name: 'lon' | 'lat', where: string): number {
  if (text === '') throw new InputError(`${where}: ${name} is empty`);
  if (!NUMBER.test(text)) throw new InputError(`${where}: ${name} "${text}" is not a number`);
  const value = Number(text);
  const limit = name === 'lon' ? 180 : 90;
  if (!(value >= -limit && value <= limit)) throw new InputError(`${where}: ${name} ${text} is outside [-${limit}, ${limit}]`);
  return value;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

interface MatchCounts {
  readonly rows: number;
  readonly matched: number;
}

/** Reads the points CSV line by line and writes the result CSV through `write`, in input order. */
async function matchPointsFile(
  matcher: SegmentMatcher,
  args: MatchArgs,
  write: (text: string) => Promise<void>,
): Promise<MatchCounts> {
  const input = await open(args.points, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read points file ${args.points}: ${err.code ?? err.message}`);
  });
  const lines = createInterface({ input: input.createReadStream(), crlfDelay: Infinity });
  let lineNo = 0;
  let rows = 0;
  let matched = 0;
  let buffer = 'lon,lat,segmentId,distanceM,offsetM\n';
  try {
    for await (const raw of lines) {
      lineNo++;
      const where = `${args.points}:${lineNo}`;
      if (lineNo === 1) {
        const header = raw.replace(/^\uFEFF/, '').split(',').map(unquote);
        if (header.length !== 2 || header[0] !== 'lon' || header[1] !== 'lat') {
          throw new InputError(`${where}: expected the header "lon,lat", found "${raw}"`);
        }
        continue;
      }
      if (raw.trim() === '') continue;
      const fields = raw.split(',');
      if (fields.length !== 2) throw new InputError(`${where}: expected 2 columns (lon,lat), found ${fields.length}`);
      const lonText = unquote(fields[0]);
      const latText = unquote(fields[1]);
      const lon = parseCoordinate(lonText, 'lon', where);
      const lat = parseCoordinate(latText, 'lat', where);
      const m = matcher.match(lon, lat, args.toleranceM);
      rows++;
      if (m === null) buffer += `${lonText},${latText},,,\n`;
      else {
        matched++;
        buffer += `${lonText},${latText},${csvField(m.segmentId)},${m.distanceM.toFixed(2)},${m.offsetM.toFixed(2)}\n`;
      }
      if (buffer.length >= 1 << 16) {
        await write(buffer);
        buffer = '';
      }
    }
  } finally {
    lines.close();
    await input.close();
  }
  if (lineNo === 0) throw new InputError(`${args.points}: the file is empty; expected the header "lon,lat"`);
  await write(buffer);
  return { rows, matched };
}

/**
 * `roadloop-geo match`: nearest segment for every point of a CSV file. Resolves to the exit
 * status; see HELP for the contract.
 */
export async function runMatch(argv: string[], output: CommandOutput = process): Promise<number> {
  const fail = (message: string): number => {
    output.stderr.write(`roadloop-geo match: ${message}\nrun "roadloop-geo match --help" for usage\n`);
    return 2;
  };
  let args: MatchArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof InputError) return fail(err.message);
    throw err;
  }
  if (args === 'help') {
    output.stdout.write(`${HELP}\n`);
    return 0;
  }

  const started = performance.now();
  const temp = `${args.out}.partial-${process.pid}`;
  let written = false;
  try {
    const segments = await loadSegmentsGeoJson(args.segments);
    const loaded = performance.now();
    const matcher = SegmentMatcher.build(segments);
    const built = performance.now();
    const out = await open(temp, 'w').catch((err: NodeJS.ErrnoException) => {
      throw new InputError(`cannot write ${args.out}: ${err.code ?? err.message}`);
    });
    let counts: MatchCounts;
    try {
      counts = await matchPointsFile(matcher, args, async (text) => {
        await out.write(text);
      });
    } finally {
      await out.close();
    }
    await rename(temp, args.out);
    written = true;
    const done = performance.now();
    output.stdout.write(
      `roadloop-geo match: ${counts.rows} rows, ${counts.matched} matched, ${counts.rows - counts.matched} unmatched ` +
        `(tolerance ${args.toleranceM} m, ${matcher.segmentCount} segments) in ${seconds(done - started)} ` +
        `(load ${seconds(loaded - started)}, index ${seconds(built - loaded)}, match ${seconds(done - built)}) -> ${args.out}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof InputError || err instanceof MatchException) return fail(err.message);
    throw err;
  } finally {
    if (!written) await unlink(temp).catch(() => undefined);
  }
}
