import { createReadStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { GeoError } from '../geo.exception';
import { MatchException } from '../match/match.exception';
import { readMatcherCache, segmentFileKey, writeMatcherCache } from '../match/matcher-cache';
import { loadSegmentsGeoJson } from '../match/segment-geojson.loader';
import { MAX_TOLERANCE_M, SegmentMatcher } from '../match/segment-matcher';
import { parseFlags } from './flags';
import { InputError, matchPointsRange, NUMBER, RowError, type RangeCounts } from './match-points';
import type { MatchWorkerData, MatchWorkerResult } from './match.worker';

const DEFAULT_TOLERANCE_M = 50;

const HELP = `usage: roadloop-geo match --segments <file.geojson> --points <file.csv> --out <file.csv> [--tolerance-m N] [--threads 1|2] [--index-cache <file>]

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
  --threads 1|2       2: a points file of 1 MiB or more is matched by two threads, one per half
                      of the file, sharing one index of the segments; the output is the same
                      (default 1)
  --index-cache FILE  keep the index of the segments in FILE: it is used when it was built
                      from a segment file with the same bytes by the same build of this
                      command, and otherwise built and written there; for many points files
                      matched against the same segments
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
  readonly threads: 1 | 2;
  readonly indexCache: string | undefined;
}

function parseMatchArgs(argv: readonly string[]): MatchArgs | 'help' {
  let values: Map<string, string> | 'help';
  try {
    values = parseFlags(argv, new Set(['--segments', '--points', '--out', '--tolerance-m', '--threads', '--index-cache']));
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
  const threadsText = values.get('--threads') ?? '1';
  if (threadsText !== '1' && threadsText !== '2') throw new InputError(`--threads must be 1 or 2, got "${threadsText}"`);
  const args = { segments: required('--segments'), points: required('--points'), out: required('--out'), toleranceM, threads: threadsText === '2' ? 2 : 1, indexCache: values.get('--index-cache') } as const;
  // The cache is written over: never one of the files read or the output.
  if (args.indexCache !== undefined && [args.segments, args.points, args.out].some((p) => resolve(p) === resolve(args.indexCache!))) {
    throw new InputError(`--index-cache must be a file of its own, not one of --segments, --points or --out ("${args.indexCache}")`);
  }
  return args;
}

/**
 * With --threads 2, points files at least this large are matched by two threads, one per half,
 * over one index in shared memory (the second thread starts at once and waits for it). Smaller
 * files are not worth a thread's start-up. Not the default: see docs/benchmarks.md, "The match
 * command".
 */
const PARALLEL_MIN_BYTES = 1 << 20;

/** The first byte after the first line feed at or after `from`, or `size` when there is none. */
async function lineStartFrom(path: string, from: number, size: number): Promise<number> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 16);
    for (let pos = from; pos < size; ) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, pos);
      if (bytesRead === 0) break;
      const lf = buffer.subarray(0, bytesRead).indexOf(0x0a);
      if (lf >= 0) return pos + lf + 1;
      pos += bytesRead;
    }
    return size;
  } finally {
    await file.close();
  }
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return true; // the loader says why it cannot be read
  }
}

/** The SHA-256 of a file's bytes; undefined when it cannot be read (the loader then says why). */
async function fileKey(path: string): Promise<string | undefined> {
  const key = segmentFileKey();
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) key.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  return key.digest();
}

/**
 * The matcher of the segment file: from the index cache when one is given and holds the index of
 * these very bytes, otherwise loaded and built (and then written to the cache; a cache that cannot
 * be written is a warning, not a failure). `loaded` is when the load ended and the build began.
 */
async function indexSegments(args: MatchArgs, output: CommandOutput): Promise<{ matcher: SegmentMatcher; loaded: number; cache: string }> {
  // Only a regular file can be read twice (once for its key, once to load it): not a pipe.
  const cachePath = args.indexCache !== undefined && (await isRegularFile(args.segments)) ? args.indexCache : undefined;
  if (args.indexCache !== undefined && cachePath === undefined) {
    output.stderr.write(`roadloop-geo match: warning: --index-cache ignored: ${args.segments} is not a regular file\n`);
  }
  if (cachePath !== undefined) {
    const key = await fileKey(args.segments);
    const cached = key === undefined ? undefined : await readMatcherCache(cachePath, key);
    if (cached !== undefined) return { matcher: cached, loaded: performance.now(), cache: ', index from cache' };
  }
  const loadedKey = segmentFileKey();
  const segments = await loadSegmentsGeoJson(args.segments, cachePath === undefined ? {} : { onBytes: (chunk) => loadedKey.update(chunk) });
  const loaded = performance.now();
  const matcher = SegmentMatcher.build(segments);
  if (cachePath === undefined) return { matcher, loaded, cache: '' };
  try {
    await writeMatcherCache(cachePath, matcher, loadedKey.digest());
    return { matcher, loaded, cache: ', index cached' };
  } catch (err) {
    output.stderr.write(`roadloop-geo match: warning: cannot write the index cache ${cachePath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return { matcher, loaded, cache: '' };
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
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
  const part = `${temp}-2`;
  let worker: Worker | undefined;
  let written = false;
  try {
    // An unreadable points file is reported when it is read, after the segment file's problems.
    const size = await stat(args.points).then(
      (st) => st.size,
      () => 0,
    );
    const split = args.threads === 2 && size >= PARALLEL_MIN_BYTES ? await lineStartFrom(args.points, size >> 1, size) : size;
    let second: Promise<MatchWorkerResult> | undefined;
    if (split < size) {
      const data: MatchWorkerData = { points: args.points, range: { start: split, end: size, header: false }, toleranceM: args.toleranceM, partPath: part };
      // Loaded only here: node:worker_threads alone costs ~5 ms of start-up.
      const { Worker } = await import('node:worker_threads');
      const thread = new Worker(join(__dirname, 'match.worker.js'), { workerData: data });
      worker = thread;
      second = new Promise<MatchWorkerResult>((resolve, reject) => {
        thread.once('message', resolve);
        thread.once('error', reject);
        thread.once('exit', (code) => reject(new Error(`the second matching thread stopped (exit code ${code})`)));
      });
      second.catch(() => undefined); // awaited below, unless the first half fails first
    }
    const indexed = await indexSegments(args, output);
    let matcher = indexed.matcher;
    const loaded = indexed.loaded;
    if (worker !== undefined) {
      // Both threads search the same index, in shared memory: the second does not build its own.
      const shared = matcher.toData();
      worker.postMessage(shared);
      matcher = SegmentMatcher.fromData(shared);
    }
    const built = performance.now();
    const out = await open(temp, 'w').catch((err: NodeJS.ErrnoException) => {
      throw new InputError(`cannot write ${args.out}: ${err.code ?? err.message}`);
    });
    let counts: RangeCounts;
    try {
      counts = await matchPointsRange(matcher, args.points, { start: 0, end: second === undefined ? undefined : split, header: true }, args.toleranceM, out);
      if (second !== undefined) {
        const result = await second;
        if (!result.ok) {
          if (!result.input) throw new Error(result.message);
          // The second half's lines are counted from its own start.
          throw result.line === undefined ? new InputError(result.message) : new RowError(counts.lines + result.line, result.message);
        }
        for await (const chunk of createReadStream(part)) await out.write(chunk as Buffer);
        counts = { rows: counts.rows + result.counts.rows, matched: counts.matched + result.counts.matched, lines: counts.lines + result.counts.lines };
      }
    } finally {
      await out.close();
    }
    await rename(temp, args.out);
    written = true;
    const done = performance.now();
    output.stdout.write(
      `roadloop-geo match: ${counts.rows} rows, ${counts.matched} matched, ${counts.rows - counts.matched} unmatched ` +
        `(tolerance ${args.toleranceM} m, ${matcher.segmentCount} segments) in ${seconds(done - started)} ` +
        `(load ${seconds(loaded - started)}, index ${seconds(built - loaded)}${indexed.cache}, match ${seconds(done - built)}` +
        `${second !== undefined ? ', 2 threads' : ''}) -> ${args.out}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof RowError) return fail(`${args.points}:${err.line}: ${err.reason}`);
    if (err instanceof InputError || err instanceof MatchException) return fail(err.message);
    throw err;
  } finally {
    if (worker !== undefined) await worker.terminate();
    await unlink(part).catch(() => undefined);
    if (!written) await unlink(temp).catch(() => undefined);
  }
}
