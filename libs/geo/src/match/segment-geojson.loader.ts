import { createReadStream } from 'node:fs';
import { MatchErrorCode, MatchException } from './match.exception';
import { readSegmentFeature, SegmentPackBuilder, type PackedSegments } from './packed-segments';

/**
 * Streaming reader of a GeoJSON FeatureCollection. The file is scanned byte by byte (JSON's
 * structural characters are ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte
 * character, so a byte scanner cannot be fooled by text); each feature's bytes are handed to
 * JSON.parse alone and passed on at once. Memory is what the consumer keeps plus one feature,
 * never the whole file as a string, so files of hundreds of megabytes load. The segment loader
 * packs LineString segments as they come; `readGeoJsonFeatures` hands every feature to its caller.
 */

const enum State {
  Start, // before the top-level '{'
  KeyOrEnd, // after '{': a key or '}'
  Key, // after ',': a key
  InKey,
  Colon,
  Value,
  AfterMember, // ',' or '}'
  FeatureOrEnd, // after '[': a feature or ']'
  Feature, // after ',' in the features array
  AfterFeature, // ',' or ']'
  Capture, // inside a value whose bytes are being collected
  Done,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

const FEATURE_HEAD = Buffer.from('{"type":"Feature","properties":{"id":"');
const FEATURE_MIDDLE = Buffer.from('"},"geometry":{"type":"LineString","coordinates":[');
const FEATURE_TAIL = Buffer.from(']}}');

/** The index after `bytes` when chunk holds them at i, else −1. */
function expect(chunk: Buffer, i: number, bytes: Buffer): number {
  if (i + bytes.length > chunk.length) return -1;
  for (let k = 0; k < bytes.length; k++) if (chunk[i + k] !== bytes[k]) return -1;
  return i + bytes.length;
}

/** 10^k for k = 0 … 22: every one is exact in a double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Where the last jsonNumber ended, or −1 when there was no such number there. */
let numberEnd = -1;

/**
 * The JSON number at chunk[i…] written as -?(0|[1-9][0-9]*)(.[0-9]+)? (no exponent), with the
 * value JSON.parse gives it; sets numberEnd (−1 when the bytes are not such a number or reach n).
 */
function jsonNumber(chunk: Buffer, i: number, n: number): number {
  const start = i;
  const negative = i < n && chunk[i] === 0x2d;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let c = 0;
  const first = i;
  while (i < n && (c = chunk[i] - 0x30) >= 0 && c <= 9) {
    mantissa = mantissa * 10 + c;
    digits++;
    i++;
  }
  if (digits === 0 || (digits > 1 && chunk[first] === 0x30)) {
    numberEnd = -1;
    return NaN;
  }
  if (i < n && chunk[i] === 0x2e) {
    i++;
    while (i < n && (c = chunk[i] - 0x30) >= 0 && c <= 9) {
      mantissa = mantissa * 10 + c;
      digits++;
      fraction++;
      i++;
    }
    if (fraction === 0) {
      numberEnd = -1;
      return NaN;
    }
  }
  numberEnd = i < n ? i : -1;
  // At most 15 digits: the mantissa and 10^fraction are exact, so one correctly rounded division
  // is the correctly rounded value (Clinger's fast path); longer numbers go through Number().
  if (digits <= 15) return negative ? -(mantissa / POWERS_OF_TEN[fraction]) : mantissa / POWERS_OF_TEN[fraction];
  return Number(chunk.toString('latin1', start, i));
}

function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

export interface LoadSegmentsOptions {
  /** Read buffer size in bytes (tests use tiny ones to cross chunk boundaries). */
  readonly chunkBytes?: number;
  /** Sees every byte of the file as it is read, in order (to key a cache of what was loaded). */
  readonly onBytes?: (chunk: Buffer) => void;
}

/**
 * Incremental scanner of a FeatureCollection's structure; `push` each chunk, then `end`. Each
 * feature goes to `onFeature` with its index in the array; `result` is what `end` returns.
 */
export abstract class GeoJsonFeatureScanner<T> {
  private state = State.Start;
  private offset = 0; // bytes consumed before the current chunk
  private key = '';
  private keyParts: Buffer[] = [];
  private keyStart = 0;
  private seenFeatures = false;
  private readonly topLevel = new Map<string, unknown>();
  // Capture of a value: what it is, its nesting depth, string state and the bytes so far.
  private captureKind: 'feature' | 'member' = 'member';
  private captureDepth = 0;
  private captureScalar = false;
  private inString = false;
  private escaped = false;
  private captureParts: Buffer[] = [];
  private captureStart = 0;
  private captureOffset = 0;
  protected featureIndex = 0;

  /**
   * `what`: how errors name the file. `anyValueFeatures`: an element of the features array that is
   * not an object is passed on too (for its consumer to reject) instead of ending the scan.
   */
  constructor(
    private readonly what: string,
    private readonly anyValueFeatures = false,
  ) {}

  /** Receives each feature as JSON.parse gives it; a MatchException it throws is reworded to name the feature. */
  protected abstract onFeature(value: unknown, index: number): void;

  /** What `end` returns once the file is whole. */
  protected abstract result(): T;

  /**
   * A fast path for the feature whose '{' is at chunk[i]: returns the index after it when it was
   * read and handled without JSON.parse, else −1 (the default) and it goes through `onFeature`.
   */
  protected plainFeature(_chunk: Buffer, _i: number): number {
    return -1;
  }

  push(chunk: Buffer): void {
    let i = 0;
    if (this.offset === 0 && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3; // UTF-8 BOM
    const n = chunk.length;
    while (i < n) {
      const b = chunk[i];
      switch (this.state) {
        case State.Capture: {
          i = this.scanCapture(chunk, i);
          continue;
        }
        case State.InKey: {
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) {
            this.keyParts.push(chunk.subarray(this.keyStart, i + 1));
            this.key = this.parseJson(Buffer.concat(this.keyParts).toString('utf8'), this.offset + i, 'a member name') as string;
            this.keyParts = [];
            this.state = State.Colon;
          }
          i++;
          continue;
        }
        default:
          break;
      }
      if (isSpace(b)) {
        i++;
        continue;
      }
      const at = this.offset + i;
      switch (this.state) {
        case State.Start:
          if (b !== LBRACE) throw this.invalid(at, `expected a GeoJSON FeatureCollection object, found ${printable(b)}`);
          this.state = State.KeyOrEnd;
          break;
        case State.KeyOrEnd:
        case State.Key:
          if (b === RBRACE && this.state === State.KeyOrEnd) this.state = State.Done;
          else if (b === QUOTE) {
            this.state = State.InKey;
            this.keyStart = i;
            this.escaped = false;
          } else throw this.invalid(at, `expected a member name, found ${printable(b)}`);
          break;
        case State.Colon:
          if (b !== COLON) throw this.invalid(at, `expected ':' after "${this.key}", found ${printable(b)}`);
          this.state = State.Value;
          break;
        case State.Value:
          if (this.key === 'features') {
            if (this.seenFeatures) throw this.invalid(at, 'the "features" member appears twice');
            if (b !== LBRACKET) throw this.invalid(at, `"features" must be an array, found ${printable(b)}`);
            this.seenFeatures = true;
            this.state = State.FeatureOrEnd;
          } else {
            this.startCapture('member', i, b);
            i++;
            continue;
          }
          break;
        case State.AfterMember:
          if (b === COMMA) this.state = State.Key;
          else if (b === RBRACE) this.state = State.Done;
          else throw this.invalid(at, `expected ',' or '}' after "${this.key}", found ${printable(b)}`);
          break;
        case State.FeatureOrEnd:
        case State.Feature:
          if (b === RBRACKET && this.state === State.FeatureOrEnd) this.state = State.AfterMember;
          else if (b === LBRACE) {
            const end = this.plainFeature(chunk, i);
            if (end > 0) {
              this.featureIndex++;
              this.state = State.AfterFeature;
              i = end;
              continue;
            }
            this.startCapture('feature', i, b);
            i++;
            continue;
          } else if (this.anyValueFeatures && b !== RBRACKET) {
            this.startCapture('feature', i, b);
            i++;
            continue;
          } else {
            throw this.invalidFeature(at, `expected a Feature object, found ${printable(b)}`);
          }
          break;
        case State.AfterFeature:
          if (b === COMMA) this.state = State.Feature;
          else if (b === RBRACKET) this.state = State.AfterMember;
          else throw this.invalid(at, `expected ',' or ']' after feature ${this.featureIndex - 1}, found ${printable(b)}`);
          break;
        case State.Done:
          throw this.invalid(at, `unexpected ${printable(b)} after the end of the FeatureCollection`);
        default:
          break;
      }
      i++;
    }
    // Keep the unfinished part of a value or key for the next chunk.
    if (this.state === State.Capture) {
      this.captureParts.push(chunk.subarray(this.captureStart));
      this.captureStart = 0;
    } else if (this.state === State.InKey) {
      this.keyParts.push(chunk.subarray(this.keyStart));
      this.keyStart = 0;
    }
    this.offset += n;
  }

  end(): T {
    if (this.state === State.Capture && this.captureScalar && this.captureKind === 'member') {
      // A bare scalar at the very end cannot be valid either: the object is still open.
      this.state = State.AfterMember;
    }
    if (this.state !== State.Done) {
      const where =
        this.state === State.Capture && this.captureKind === 'feature'
          ? `inside feature ${this.featureIndex} (which starts at byte ${this.captureOffset})`
          : this.seenFeatures && (this.state === State.AfterFeature || this.state === State.Feature || this.state === State.FeatureOrEnd)
            ? `after feature ${this.featureIndex - 1}, before the features array closes`
            : this.state === State.Start
              ? 'before any JSON (the file is empty)'
              : 'before the top-level object closes';
      throw new MatchException(
        MatchErrorCode.TruncatedGeoJson,
        `segment file is truncated: it ends ${where} at byte ${this.offset}`,
        { byteOffset: this.offset, ...(this.state === State.Capture ? { featureIndex: this.featureIndex } : {}) },
      );
    }
    const type = this.topLevel.get('type');
    if (type !== 'FeatureCollection') {
      throw new MatchException(
        MatchErrorCode.InvalidGeoJson,
        `expected "type": "FeatureCollection", got ${type === undefined ? 'no type' : JSON.stringify(type)}`,
      );
    }
    if (!this.seenFeatures) throw new MatchException(MatchErrorCode.InvalidGeoJson, 'the FeatureCollection has no "features" array');
    return this.result();
  }

  private startCapture(kind: 'feature' | 'member', i: number, b: number): void {
    this.captureKind = kind;
    this.captureParts = [];
    this.captureStart = i;
    this.captureOffset = this.offset + i;
    this.captureScalar = b !== LBRACE && b !== LBRACKET && b !== QUOTE;
    this.captureDepth = b === LBRACE || b === LBRACKET ? 1 : 0;
    this.inString = b === QUOTE;
    this.escaped = false;
    this.state = State.Capture;
  }

  /** Scans a captured value from chunk[i]; returns where to resume. */
  private scanCapture(chunk: Buffer, i: number): number {
    const n = chunk.length;
    if (this.captureScalar) {
      // number, true, false, null: ends before the next delimiter, which the outer state reads.
      while (i < n) {
        const b = chunk[i];
        if (b === COMMA || b === RBRACE || b === RBRACKET || isSpace(b)) {
          this.finishCapture(chunk, i);
          return i;
        }
        i++;
      }
      return i;
    }
    while (i < n) {
      const b = chunk[i++];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) {
          this.inString = false;
          if (this.captureDepth === 0) {
            this.finishCapture(chunk, i);
            return i;
          }
        }
      } else if (b === QUOTE) this.inString = true;
      else if (b === LBRACE || b === LBRACKET) this.captureDepth++;
      else if (b === RBRACE || b === RBRACKET) {
        if (--this.captureDepth === 0) {
          this.finishCapture(chunk, i);
          return i;
        }
      }
    }
    return i;
  }

  private finishCapture(chunk: Buffer, end: number): void {
    this.captureParts.push(chunk.subarray(this.captureStart, end));
    const bytes = this.captureParts.length === 1 ? this.captureParts[0] : Buffer.concat(this.captureParts);
    this.captureParts = [];
    const text = bytes.toString('utf8');
    if (this.captureKind === 'feature') {
      const index = this.featureIndex++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new MatchException(
          MatchErrorCode.InvalidSegment,
          `feature ${index} (byte ${this.captureOffset}) is not valid JSON: ${(err as Error).message}`,
          { featureIndex: index, byteOffset: this.captureOffset },
        );
      }
      try {
        this.onFeature(value, index);
      } catch (err) {
        throw this.atFeature(err, index);
      }
      this.state = State.AfterFeature;
    } else {
      this.topLevel.set(this.key, this.parseJson(text, this.captureOffset, `the value of "${this.key}"`));
      this.state = State.AfterMember;
    }
  }

  /** Rewords a segment error to name the feature (and the byte where it starts). */
  private atFeature(err: unknown, index: number): unknown {
    if (!(err instanceof MatchException)) return err;
    return new MatchException(err.code, `${err.message.replace(/\bsegment (\d+)/g, 'feature $1')} (byte ${this.captureOffset})`, {
      featureIndex: index,
      byteOffset: this.captureOffset,
    });
  }

  private parseJson(text: string, at: number, what: string): unknown {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw this.invalid(at, `${what} is not valid JSON: ${(err as Error).message}`);
    }
  }

  private invalid(at: number, message: string): MatchException {
    return new MatchException(MatchErrorCode.InvalidGeoJson, `${this.what}: ${message} at byte ${at}`, { byteOffset: at });
  }

  private invalidFeature(at: number, message: string): MatchException {
    return new MatchException(MatchErrorCode.InvalidSegment, `feature ${this.featureIndex}: ${message} at byte ${at}`, {
      featureIndex: this.featureIndex,
      byteOffset: at,
    });
  }
}

/** Packs the LineString segments of a FeatureCollection as they are read. Exported for tests of chunk boundaries. */
export class SegmentGeoJsonScanner extends GeoJsonFeatureScanner<PackedSegments> {
  private readonly builder = new SegmentPackBuilder();
  /** The vertices of a plain feature being read (see plainFeature). */
  private plainCoords = new Float64Array(256);

  constructor() {
    super('segment file');
  }

  protected onFeature(value: unknown, index: number): void {
    const { id, coordinates } = readSegmentFeature(value, index);
    this.builder.add(id, coordinates, index);
  }

  protected result(): PackedSegments {
    return this.builder.finish();
  }

  /**
   * Reads the feature at chunk[i] straight into the builder when it is written exactly as
   * {"type":"Feature","properties":{"id":"…"},"geometry":{"type":"LineString","coordinates":[[lon,lat],…]}}
   * (no spaces, a plain id string without escapes, numbers without exponents), lies wholly in
   * this chunk and is a valid new segment; returns the index after it. Otherwise returns −1 and
   * the feature goes through JSON.parse, which gives the same segment or the error.
   */
  protected override plainFeature(chunk: Buffer, i: number): number {
    const n = chunk.length;
    let p = expect(chunk, i, FEATURE_HEAD);
    if (p < 0) return -1;
    const idStart = p;
    while (p < n) {
      const b = chunk[p];
      if (b === QUOTE || b === BACKSLASH || b < 0x20) break;
      p++;
    }
    if (p === idStart || p >= n || chunk[p] !== QUOTE) return -1;
    const idEnd = p;
    p = expect(chunk, p, FEATURE_MIDDLE);
    if (p < 0) return -1;
    let flat = this.plainCoords;
    let vertices = 0;
    for (;;) {
      if (p >= n || chunk[p] !== LBRACKET) return -1;
      const lon = jsonNumber(chunk, p + 1, n);
      p = numberEnd;
      if (p < 0 || p >= n || chunk[p] !== COMMA) return -1;
      const lat = jsonNumber(chunk, p + 1, n);
      p = numberEnd;
      if (p < 0 || p + 1 >= n || chunk[p] !== RBRACKET) return -1;
      if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) return -1;
      if (2 * vertices + 2 > flat.length) {
        const grown = new Float64Array(flat.length * 2);
        grown.set(flat);
        flat = this.plainCoords = grown;
      }
      flat[2 * vertices] = lon;
      flat[2 * vertices + 1] = lat;
      vertices++;
      p++;
      if (chunk[p] === COMMA) p++;
      else break;
    }
    p = expect(chunk, p, FEATURE_TAIL);
    if (p < 0 || vertices < 2) return -1;
    const id = chunk.toString('utf8', idStart, idEnd);
    if (this.builder.has(id)) return -1;
    this.builder.addChecked(id, flat, vertices, this.featureIndex);
    return p;
  }
}

/**
 * Loads road segments from a GeoJSON FeatureCollection of LineString features, each with an id in
 * `properties.id` (or the feature's `id`). Streams the file; rejects it with a MatchException that
 * names the feature index (and byte offset) of the first bad feature, or says the file is truncated.
 */
export async function loadSegmentsGeoJson(path: string, options: LoadSegmentsOptions = {}): Promise<PackedSegments> {
  const scanner = new SegmentGeoJsonScanner();
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
  try {
    for await (const chunk of stream) {
      options.onBytes?.(chunk as Buffer);
      scanner.push(chunk as Buffer);
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof MatchException) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new MatchException(MatchErrorCode.UnreadableFile, `cannot read segment file ${path}: ${code ?? (err as Error).message}`, {}, { cause: err });
  }
  return scanner.end();
}
