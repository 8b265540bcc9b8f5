import { createReadStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { GeoError } from '../geo.exception';
import { MatchException } from '../match/match.exception';
import { loadSegmentsGeoJson } from '../match/segment-geojson.loader';
import { MAX_TOLERANCE_M, SegmentMatcher } from '../match/segment-matcher';
import { CsvRecordReader, CsvSyntaxError } from './csv-records';
import { parseFlags } from './flags';

const DEFAULT_TOLERANCE_M = 50;

const HELP = `usage: roadloop-geo match --segments <file.geojson> --points <file.csv> --out <file.csv> [--tolerance-m N]

Matches each point to the nearest road segment within the tolerance.

  --segments FILE     GeoJSON FeatureCollection of LineString features, each with an id in
                      properties.id (or the feature's id)
  --points FILE       CSV (RFC 4180) whose first line is the header "lon,lat" (WGS84 degrees);
                      blank lines are skipped; fields may be wrapped in double quotes; CRLF line
                      ends and a UTF-8 byte order mark are accepted
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

function parseMatchArgs(argv: readonly string[]): MatchArgs | 'help' {
  let values: Map<string, string> | 'help';
  try {
    values = parseFlags(argv, new Set(['--segments', '--points', '--out', '--tolerance-m']));
  } catch (err) {
    if (err instanceof GeoError) throw new InputError(err.message);
    throw err;
  }
  if (values === 'help') return 'help';
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

/** A CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function parseCoordinate(text: string, name: 'lon' | 'lat', where: string): number {
  if (text === '') throw new InputError(`${where}: ${name} is empty`);
  if (!NUMBER.test(text)) throw new InputError(`${where}: ${name} ${JSON.stringify(text)} is not a number`);
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

/** Read size of the points file; each chunk's rows go out in one write. */
const CHUNK_BYTES = 1 << 16;

/**
 * Streams the points CSV through the matcher and writes the result CSV through `write`, in input
 * order, one write per chunk read.
 */
async function matchPointsFile(
  matcher: SegmentMatcher,
  args: MatchArgs,
  write: (text: string) => Promise<void>,
): Promise<MatchCounts> {
  const input = createReadStream(args.points, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
  const reader = new CsvRecordReader();
  const idFields: (string | undefined)[] = []; // each segment's id as a CSV field, made once
  const toleranceM = args.toleranceM;
  let records = 0;
  let rows = 0;
  let matched = 0;
  let buffer = 'lon,lat,segmentId,distanceM,offsetM\n';
  const onRecord = (fields: string[], line: number): void => {
    const where = `${args.points}:${line}`;
    if (records++ === 0) {
      if (fields.length !== 2 || fields[0] !== 'lon' || fields[1] !== 'lat') {
        throw new InputError(`${where}: expected the header "lon,lat", found "${fields.join(',')}"`);
      }
      return;
    }
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    if (fields.length !== 2) throw new InputError(`${where}: expected 2 columns (lon,lat), found ${fields.length}`);
    const lonText = fields[0].trim(); // inside quotes too, as before
    const latText = fields[1].trim();
    const m = matcher.match(parseCoordinate(lonText, 'lon', where), parseCoordinate(latText, 'lat', where), toleranceM);
    rows++;
    if (m === null) buffer += `${lonText},${latText},,,\n`;
    else {
      matched++;
      const id = idFields[m.segmentIndex] ?? (idFields[m.segmentIndex] = csvField(m.segmentId));
      buffer += `${lonText},${latText},${id},${m.distanceM.toFixed(2)},${m.offsetM.toFixed(2)}\n`;
    }
  };
  try {
    for await (const chunk of input) {
      reader.push(chunk as string, onRecord);
      if (buffer !== '') await write(buffer);
      buffer = '';
    }
    reader.end(onRecord);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new InputError(`${args.points}:${err.line}: ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined && !(err instanceof InputError)) throw new InputError(`cannot read points file ${args.points}: ${code}`);
    throw err;
  } finally {
    input.destroy();
  }
  if (records === 0) throw new InputError(`${args.points}: the file is empty; expected the header "lon,lat"`);
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
    args = parseMatchArgs(argv);
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
