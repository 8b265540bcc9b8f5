import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { SegmentMatcher } from '../match/segment-matcher';
import { CsvRecordReader, CsvSyntaxError } from './csv-records';

/** The points file's header and the result file's. */
export const RESULT_HEADER = 'lon,lat,segmentId,distanceM,offsetM\n';

/** A problem with the user's arguments or files: reported in one line, exit status 2. */
export class InputError extends Error {}

/** A problem with one row of the points file, at `line` counted from the start of the range read. */
export class RowError extends InputError {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Part of the points file: bytes [start, end) (to its end without one), from a line start; the first part holds the header. */
export interface PointsRange {
  readonly start: number;
  readonly end?: number;
  readonly header: boolean;
}

export interface RangeCounts {
  readonly rows: number;
  readonly matched: number;
  /** Lines read, blank ones included (the line number where the next range begins, minus one). */
  readonly lines: number;
}

/** A decimal number as the command accepts it (no hex, no Infinity, no NaN). */
export const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Read size of the points file; each chunk's rows go out in one write. */
const CHUNK_BYTES = 1 << 16;

/** A CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Spaces and tabs dropped from both ends (not line breaks: a field holding one is refused). */
function trimBlanks(text: string): string {
  const n = text.length;
  if (n === 0) return text;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  return first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09 ? text.replace(/^[ \t]+|[ \t]+$/g, '') : text;
}

function parseCoordinate(text: string, name: 'lon' | 'lat', line: number): number {
  if (text === '') throw new RowError(line, `${name} is empty`);
  if (!NUMBER.test(text)) throw new RowError(line, `${name} ${JSON.stringify(text)} is not a number`);
  const value = Number(text);
  const limit = name === 'lon' ? 180 : 90;
  if (!(value >= -limit && value <= limit)) throw new RowError(line, `${name} ${text} is outside [-${limit}, ${limit}]`);
  return value;
}

/**
 * Streams one range of the points CSV through the matcher and appends the result rows to `out`,
 * in input order, one write per chunk read. Rows are checked as they come; the first bad one
 * throws a RowError naming its line within the range.
 */
export async function matchPointsRange(
  matcher: SegmentMatcher,
  pointsPath: string,
  range: PointsRange,
  toleranceM: number,
  out: FileHandle,
): Promise<RangeCounts> {
  const input =
    range.end === undefined || range.end > range.start
      ? createReadStream(pointsPath, { encoding: 'utf8', highWaterMark: CHUNK_BYTES, start: range.start, end: range.end === undefined ? Infinity : range.end - 1 })
      : undefined;
  const reader = new CsvRecordReader({ startOfFile: range.header });
  const idFields: (string | undefined)[] = []; // each segment's id as a CSV field, made once
  let records = 0;
  let rows = 0;
  let matched = 0;
  let buffer = range.header ? RESULT_HEADER : '';
  const onRecord = (fields: string[], line: number): void => {
    if (records++ === 0 && range.header) {
      if (fields.length !== 2 || fields[0] !== 'lon' || fields[1] !== 'lat') {
        throw new RowError(line, `expected the header "lon,lat", found "${fields.join(',')}"`);
      }
      return;
    }
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    if (fields.length !== 2) throw new RowError(line, `expected 2 columns (lon,lat), found ${fields.length}`);
    const lonText = trimBlanks(fields[0]); // inside quotes too
    const latText = trimBlanks(fields[1]);
    const m = matcher.match(parseCoordinate(lonText, 'lon', line), parseCoordinate(latText, 'lat', line), toleranceM);
    rows++;
    if (m === null) buffer += `${lonText},${latText},,,\n`;
    else {
      matched++;
      const id = idFields[m.segmentIndex] ?? (idFields[m.segmentIndex] = csvField(m.segmentId));
      buffer += `${lonText},${latText},${id},${m.distanceM.toFixed(2)},${m.offsetM.toFixed(2)}\n`;
    }
  };
  try {
    if (input !== undefined) {
      for await (const chunk of input) {
        reader.push(chunk as string, onRecord);
        if (buffer !== '') await out.write(buffer);
        buffer = '';
      }
    }
    reader.end(onRecord);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new RowError(err.line, err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined && !(err instanceof InputError)) throw new InputError(`cannot read points file ${pointsPath}: ${code}`);
    throw err;
  } finally {
    input?.destroy();
  }
  if (records === 0 && range.header) throw new InputError(`${pointsPath}: the file is empty; expected the header "lon,lat"`);
  if (buffer !== '') await out.write(buffer);
  return { rows, matched, lines: reader.nextLine - 1 };
}
