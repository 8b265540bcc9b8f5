import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
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

/** Read size of the points file (tests pass smaller ones); each chunk's rows go out in one write. */
const CHUNK_BYTES = 1 << 16;

/** A record longer than this is not a plain "lon,lat" one; the full CSV reader takes it. */
const MAX_PLAIN_BYTES = 1024;

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

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;
const ZERO = 0x30;

/** 10^k for k = 0 … 22: every one is exact in a double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The result rows, built as bytes in one reused buffer (no string per row): the coordinates'
 * bytes copied from the input, each segment id's CSV bytes made once, metres with 2 decimals.
 */
export class ResultRowBuffer {
  private bytes = Buffer.allocUnsafe(1 << 18);
  private length = 0;
  private readonly ids: (Buffer | undefined)[] = [];

  constructor(private readonly segmentId: (index: number) => string) {}

  get size(): number {
    return this.length;
  }

  /** The rows so far; valid until the next `clear` or row. */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }

  /**
   * Appends "lon,lat,segmentId,distanceM,offsetM\n" (the last three empty when segment < 0), the
   * metres being match[0] and match[1] (as SegmentMatcher#matchInto leaves them).
   */
  row(source: Buffer, lonStart: number, lonEnd: number, latStart: number, latEnd: number, segment: number, match: Float64Array): void {
    this.reserve(lonEnd - lonStart + latEnd - latStart + 64);
    const b = this.bytes;
    let p = this.length;
    // Byte loops: Buffer#copy costs more than it saves on a dozen bytes.
    for (let k = lonStart; k < lonEnd; k++) b[p++] = source[k];
    b[p++] = COMMA;
    for (let k = latStart; k < latEnd; k++) b[p++] = source[k];
    this.length = this.tail(p, segment, match);
  }

  /** `row` for coordinates given as ASCII text. */
  rowText(lonText: string, latText: string, segment: number, match: Float64Array): void {
    this.reserve(lonText.length + latText.length + 64);
    const b = this.bytes;
    let p = this.length;
    p += b.write(lonText, p, 'latin1');
    b[p++] = COMMA;
    p += b.write(latText, p, 'latin1');
    this.length = this.tail(p, segment, match);
  }

  text(text: string): void {
    this.reserve(Buffer.byteLength(text));
    this.length += this.bytes.write(text, this.length, 'utf8');
  }

  private tail(p: number, segment: number, match: Float64Array): number {
    const b = this.bytes;
    b[p++] = COMMA;
    if (segment >= 0) {
      const id = this.ids[segment] ?? (this.ids[segment] = Buffer.from(csvField(this.segmentId(segment))));
      if (p + id.length + 64 > b.length) {
        this.length = p;
        this.reserve(id.length + 64);
        return this.tail2(this.bytes, p, id, match);
      }
      return this.tail2(b, p, id, match);
    }
    b[p++] = COMMA;
    b[p++] = COMMA;
    b[p++] = LF;
    return p;
  }

  private tail2(b: Buffer, p: number, id: Buffer, match: Float64Array): number {
    for (let k = 0; k < id.length; k++) b[p++] = id[k];
    b[p++] = COMMA;
    p = writeFixed2(b, p, match, 0);
    b[p++] = COMMA;
    p = writeFixed2(b, p, match, 1);
    b[p++] = LF;
    return p;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + extra));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

/**
 * Writes `x.toFixed(2)` into `b` at `p` (at most 40 bytes), x being values[k]; returns the end.
 * Rounding x·100 to an integer in doubles gives toFixed's digits unless the product lies within
 * 1e-6 of a half (its rounding error is below 2^-22 for x < 10^7); those, and negative or large x,
 * use toFixed itself. (x comes in a Float64Array so that no number is allocated for it.)
 */
export function writeFixed2(b: Buffer, p: number, values: Float64Array, k: number): number {
  const x = values[k];
  if (!(x >= 0 && x < 1e7)) return p + b.write(x.toFixed(2), p, 'latin1');
  const y = x * 100;
  let n = Math.floor(y);
  const frac = y - n;
  if (frac > 0.499999 && frac < 0.500001) return p + b.write(x.toFixed(2), p, 'latin1');
  if (frac > 0.5) n++;
  const cents = n % 100;
  let whole = (n - cents) / 100;
  // The whole part's digits, backwards, then moved into place.
  let digits = 0;
  do {
    const q = Math.floor(whole / 10);
    b[p + digits++] = ZERO + (whole - q * 10);
    whole = q;
  } while (whole > 0);
  for (let i = 0, j = p + digits - 1, k = p; i < digits >> 1; i++, j--, k++) {
    const t = b[k];
    b[k] = b[j];
    b[j] = t;
  }
  p += digits;
  b[p++] = DOT;
  b[p++] = ZERO + Math.floor(cents / 10);
  b[p++] = ZERO + (cents % 10);
  return p;
}

/**
 * Reads the decimal number at b[i…] made only of an optional sign, digits and one optional point
 * ("-1.5", "2.", ".5"), up to `n`, into values[k], exact as Number() reads it. Returns where the
 * number ends, or −1 when the bytes there are not such a number or run into `n`. (The value goes
 * through the array so that no number is allocated for it.)
 */
function plainNumber(b: Buffer, i: number, n: number, values: Float64Array, k: number): number {
  const start = i;
  let negative = false;
  if (i < n && (b[i] === MINUS || b[i] === PLUS)) negative = b[i++] === MINUS;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let c = 0;
  while (i < n && (c = b[i] - ZERO) >= 0 && c <= 9) {
    mantissa = mantissa * 10 + c;
    digits++;
    i++;
  }
  if (i < n && b[i] === DOT) {
    i++;
    while (i < n && (c = b[i] - ZERO) >= 0 && c <= 9) {
      mantissa = mantissa * 10 + c;
      digits++;
      fraction++;
      i++;
    }
  }
  if (digits === 0 || i >= n) return -1;
  // With at most 15 digits the mantissa is an exact integer and 10^fraction is exact, so one
  // correctly rounded division gives the correctly rounded value (Clinger's fast path).
  if (digits <= 15) values[k] = negative ? -(mantissa / POWERS_OF_TEN[fraction]) : mantissa / POWERS_OF_TEN[fraction];
  else values[k] = Number(b.toString('latin1', start, i));
  return i;
}

/**
 * The rows of one range of the points file, matched as their bytes come (see matchPointsRange).
 * Synchronous, so that its loop is optimized as one plain function.
 */
class PointsRangeReader {
  readonly rows: ResultRowBuffer;
  records = 0;
  count = 0;
  matched = 0;
  /** The line the next record starts on. */
  line = 1;
  /** Inside a record that the CSV reader has begun. */
  private slow = false;
  private readonly reader: CsvRecordReader;
  private readonly decoder = new StringDecoder('utf8');
  private readonly result = new Float64Array(4);
  private readonly onRecord: (fields: string[], line: number) => void;

  constructor(
    private readonly matcher: SegmentMatcher,
    private readonly toleranceM: number,
    private readonly header: boolean,
  ) {
    this.reader = new CsvRecordReader({ startOfFile: header });
    this.rows = new ResultRowBuffer((index) => matcher.segmentId(index));
    if (header) this.rows.text(RESULT_HEADER);
    this.onRecord = (fields, line) => this.record(fields, line);
  }

  /**
   * Matches the records of b[0, n); returns where an unfinished plain record starts (to be given
   * again with the next bytes), or n. `more`: whether bytes follow.
   */
  scan(b: Buffer, n: number, more: boolean): number {
    const matcher = this.matcher;
    const toleranceM = this.toleranceM;
    const result = this.result;
    const rows = this.rows;
    let i = 0;
    while (i < n) {
      if (!this.slow) {
        // A plain record: lon "," lat (LF | CRLF), never the header.
        if (this.records > 0 || !this.header) {
          const lonEnd = plainNumber(b, i, n, result, 0);
          if (lonEnd >= 0 && b[lonEnd] === COMMA && result[0] >= -180 && result[0] <= 180) {
            const latEnd = plainNumber(b, lonEnd + 1, n, result, 1);
            if (latEnd >= 0 && result[1] >= -90 && result[1] <= 90) {
              const c = b[latEnd];
              const next = c === LF ? latEnd + 1 : c === CR && latEnd + 1 < n && b[latEnd + 1] === LF ? latEnd + 2 : -1;
              if (next > 0) {
                const segment = matcher.matchInto(result, toleranceM);
                this.records++;
                this.count++;
                if (segment >= 0) this.matched++;
                rows.row(b, i, lonEnd, lonEnd + 1, latEnd, segment, result);
                this.line++;
                i = next;
                continue;
              }
            }
          }
          // Bytes that may be a plain record cut by the end of the bytes wait for the next ones.
          if (more && n - i <= MAX_PLAIN_BYTES && b.subarray(i, n).indexOf(LF) < 0) return i;
        }
        this.reader.resumeAt(this.line);
        this.slow = true;
      }
      i = this.slowLine(b, i, n);
    }
    return n;
  }

  /** The rest, after the last bytes. */
  end(rest: Buffer): void {
    if (rest.length > 0 && !this.slow) {
      this.reader.resumeAt(this.line);
      this.slow = true;
    }
    if (this.slow) {
      this.reader.push(this.decoder.write(rest), this.onRecord);
      this.reader.push(this.decoder.end(), this.onRecord);
      this.reader.end(this.onRecord);
      this.line = this.reader.nextLine;
    }
  }

  /** The full reader takes b[i…] to the end of its line; plain records resume after a line feed that ends a record. */
  private slowLine(b: Buffer, i: number, n: number): number {
    const lf = b.subarray(i, n).indexOf(LF);
    const lineEnd = lf < 0 ? n : i + lf + 1;
    this.reader.push(this.decoder.write(b.subarray(i, lineEnd)), this.onRecord);
    if (lf >= 0 && !this.reader.pending) {
      this.slow = false;
      this.line = this.reader.nextLine;
    }
    return lineEnd;
  }

  /** A record from the full reader: the header, a blank line, or a row in any CSV spelling. */
  private record(fields: string[], line: number): void {
    if (this.records++ === 0 && this.header) {
      if (fields.length !== 2 || fields[0] !== 'lon' || fields[1] !== 'lat') {
        throw new RowError(line, `expected the header "lon,lat", found "${fields.join(',')}"`);
      }
      return;
    }
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    if (fields.length !== 2) throw new RowError(line, `expected 2 columns (lon,lat), found ${fields.length}`);
    const lonText = trimBlanks(fields[0]); // inside quotes too
    const latText = trimBlanks(fields[1]);
    const result = this.result;
    result[0] = parseCoordinate(lonText, 'lon', line);
    result[1] = parseCoordinate(latText, 'lat', line);
    const segment = this.matcher.matchInto(result, this.toleranceM);
    this.count++;
    if (segment >= 0) this.matched++;
    this.rows.rowText(lonText, latText, segment, result);
  }
}

/**
 * Streams one range of the points CSV through the matcher and appends the result rows to `out`,
 * in input order, one write per chunk read. Rows are checked as they come; the first bad one
 * throws a RowError naming its line within the range.
 *
 * Plain records ("lon,lat" as bare decimal numbers, LF or CRLF) are read straight from the bytes;
 * any other record (the header, quotes, blanks, exponents, a bad or out-of-range value, a lone CR)
 * goes, from its start to the end of its line, through the full CSV reader and the checks of
 * PointsRangeReader#record, which are the only source of error messages.
 */
export async function matchPointsRange(
  matcher: SegmentMatcher,
  pointsPath: string,
  range: PointsRange,
  toleranceM: number,
  out: FileHandle,
  options: { readonly chunkBytes?: number } = {},
): Promise<RangeCounts> {
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const end = range.end ?? Infinity;
  const file = end > range.start ? await open(pointsPath, 'r').catch(unreadable(pointsPath)) : undefined;
  const points = new PointsRangeReader(matcher, toleranceM, range.header);
  const rows = points.rows;
  let work = Buffer.allocUnsafe(chunkBytes + MAX_PLAIN_BYTES);
  let kept = 0; // bytes of an unfinished plain record, at the start of `work`
  let position = range.start;
  try {
    while (file !== undefined && position < end) {
      if (work.length < kept + chunkBytes) {
        const grown = Buffer.allocUnsafe(kept + chunkBytes);
        work.copy(grown, 0, 0, kept);
        work = grown;
      }
      const { bytesRead } = await file.read(work, kept, Math.min(chunkBytes, end - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const n = kept + bytesRead;
      const from = points.scan(work, n, position < end);
      kept = n - from;
      if (kept > 0) work.copy(work, 0, from, n);
      if (rows.size > 0) {
        await out.write(rows.view());
        rows.clear();
      }
    }
    points.end(work.subarray(0, kept));
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new RowError(err.line, err.message);
    if (err instanceof InputError) throw err;
    unreadable(pointsPath)(err as NodeJS.ErrnoException);
  } finally {
    await file?.close();
  }
  if (points.records === 0 && range.header) throw new InputError(`${pointsPath}: the file is empty; expected the header "lon,lat"`);
  if (rows.size > 0) await out.write(rows.view());
  return { rows: points.count, matched: points.matched, lines: points.line - 1 };
}

/** Turns a failure to read the points file into an InputError (other errors pass unchanged). */
function unreadable(pointsPath: string): (err: NodeJS.ErrnoException) => never {
  return (err) => {
    if (err.code !== undefined) throw new InputError(`cannot read points file ${pointsPath}: ${err.code}`);
    throw err;
  };
}
