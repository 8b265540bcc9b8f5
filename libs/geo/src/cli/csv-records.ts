/**
 * Incremental CSV reader (RFC 4180): fields separated by commas, records by LF, CRLF or CR; a
 * field in double quotes may hold commas, line breaks and doubled quotes (""). Spaces and tabs
 * around a field (and around its quotes) are dropped. A leading UTF-8 BOM is skipped.
 *
 * Hand-written rather than csv-parse because the match command reads hundreds of thousands of
 * two-field rows and needs each row's line number: csv-parse with `info` (its way of giving line
 * numbers) read ~5× slower than this reader, which caps the whole command well below its matcher
 * (docs/benchmarks.md, "The match command"). Its tests check it against csv-parse's records.
 */

/** A malformed CSV text, with the 1-based line where the problem is. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';

  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Called for each record with its fields and the 1-based line it starts on. */
export type OnCsvRecord = (fields: string[], line: number) => void;

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** Longest record kept waiting for its end across chunks, in UTF-16 code units. */
const MAX_RECORD_CHARS = 1 << 20;

export interface CsvRecordReaderOptions {
  /** False when the text read is not the start of the file (no byte order mark to skip). */
  readonly startOfFile?: boolean;
}

export class CsvRecordReader {
  /** Text of the record that the last chunk ended inside, and the line it starts on. */
  private carry = '';
  private line = 1;
  private started: boolean;

  constructor(options: CsvRecordReaderOptions = {}) {
    this.started = options.startOfFile === false;
  }

  /** The line the next record starts on: one more than the line breaks read so far. */
  get nextLine(): number {
    return this.line;
  }

  /** True while the text pushed so far ends inside a record (kept for the next push). */
  get pending(): boolean {
    return this.carry !== '';
  }

  /**
   * Continues at `line` after text that was read elsewhere (a caller's faster path for plain
   * records); only between records.
   */
  resumeAt(line: number): void {
    if (this.carry !== '') throw new Error('resumeAt inside a record');
    this.line = line;
  }

  /** Reads the complete records of `text` (appended to what came before); keeps the rest. */
  push(text: string, onRecord: OnCsvRecord): void {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.scan(this.carry === '' ? text : this.carry + text, false, onRecord);
  }

  /** Reads the last record, which may lack a line break. */
  end(onRecord: OnCsvRecord): void {
    this.scan(this.carry, true, onRecord);
    this.carry = '';
  }

  private scan(text: string, final: boolean, onRecord: OnCsvRecord): void {
    const n = text.length;
    let i = 0;
    let line = this.line;
    while (i < n) {
      const recordStart = i;
      const recordLine = line;
      const fields: string[] = [];
      let complete = false;
      // One field per turn; the record ends at a line break or, when final, at the end of text.
      for (;;) {
        let c = text.charCodeAt(i);
        while (i < n && (c === SPACE || c === TAB)) c = text.charCodeAt(++i);
        if (i < n && c === QUOTE) {
          let value = '';
          let from = ++i;
          let closed = false;
          while (i < n) {
            c = text.charCodeAt(i);
            if (c === QUOTE) {
              if (i + 1 < n && text.charCodeAt(i + 1) === QUOTE) {
                value += text.slice(from, i + 1);
                i += 2;
                from = i;
                continue;
              }
              if (i + 1 >= n && !final) break; // a doubled quote may follow in the next chunk
              value += text.slice(from, i);
              i++;
              closed = true;
              break;
            }
            if (c === LF || (c === CR && !(i + 1 < n && text.charCodeAt(i + 1) === LF))) line++;
            i++;
          }
          if (!closed) {
            if (final) throw new CsvSyntaxError(recordLine, 'a quoted field is not closed before the end of the file');
            break;
          }
          c = text.charCodeAt(i);
          while (i < n && (c === SPACE || c === TAB)) c = text.charCodeAt(++i);
          if (i < n && c !== COMMA && c !== LF && c !== CR) {
            throw new CsvSyntaxError(line, `unexpected ${JSON.stringify(text[i])} after a closing quote`);
          }
          fields.push(value);
        } else {
          const from = i;
          while (i < n) {
            c = text.charCodeAt(i);
            if (c === COMMA || c === LF || c === CR) break;
            if (c === QUOTE) throw new CsvSyntaxError(line, 'a quote inside a field that does not start with one');
            i++;
          }
          let to = i;
          while (to > from && (text.charCodeAt(to - 1) === SPACE || text.charCodeAt(to - 1) === TAB)) to--;
          fields.push(text.slice(from, to));
        }
        if (i >= n) {
          complete = final;
          break;
        }
        c = text.charCodeAt(i);
        if (c === COMMA) {
          i++;
          continue;
        }
        // A line break. CR at the very end may be the first half of a CRLF in the next chunk.
        if (c === CR) {
          if (i + 1 >= n && !final) break;
          i += i + 1 < n && text.charCodeAt(i + 1) === LF ? 2 : 1;
        } else i++;
        line++;
        complete = true;
        break;
      }
      if (!complete) {
        if (text.length - recordStart > MAX_RECORD_CHARS) {
          throw new CsvSyntaxError(recordLine, `a record longer than ${MAX_RECORD_CHARS} characters`);
        }
        this.carry = text.slice(recordStart);
        this.line = recordLine;
        return;
      }
      onRecord(fields, recordLine);
    }
    this.carry = '';
    this.line = line;
  }
}
