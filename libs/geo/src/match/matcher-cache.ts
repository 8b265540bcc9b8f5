import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { SegmentMatcher, type SegmentMatcherData } from './segment-matcher';

/**
 * A built matcher's index saved to a file, so that matching many points files against the same
 * segments loads the index instead of parsing the GeoJSON and building it again.
 *
 * Layout: the 8 bytes "RLGEOIX1", a little-endian uint32 header length, the header (JSON), zero
 * padding to a multiple of 8, then the arrays one after another, each at a multiple of 8:
 * slots (float64), boxes (float32), indices (uint16 or uint32), levelBounds (uint32) and the ids
 * (a JSON array, UTF-8), and last the SHA-256 of all the bytes before it (32 bytes). The header
 * names the SHA-256 of the segment file the index was built from and the fingerprint of the code
 * that built it, so a cache of other segments, of another build of the matcher, a truncated or
 * altered cache, or one of another layout is never used: the index is built again.
 */

const MAGIC = 'RLGEOIX1';
/** Changes whenever the layout above or the matcher's slot record changes. */
const FORMAT = 1;

/** The modules (beside this one) whose code decides what index a segment file gives: reading, packing, scaling, building, saving. */
const INDEX_CODE = ['segment-geojson.loader', 'packed-segments', '../geometry/ruler', 'packed-tree', 'segment-matcher', 'matcher-cache'];
let indexCode: string | undefined;

/**
 * The SHA-256 of the index-building modules as installed, flatbush's included: a cache written by
 * another build of the matcher is a miss, so a change to how the index is built never reuses a
 * stale one. When a module cannot be read (a bundled build), no cache is ever used.
 */
export function indexCodeFingerprint(): string {
  if (indexCode === undefined) {
    const hash = createHash('sha256');
    try {
      for (const name of INDEX_CODE) hash.update(readFileSync(join(__dirname, `${name}${extname(__filename)}`)));
      hash.update(readFileSync(require.resolve('flatbush')));
      indexCode = hash.digest('hex');
    } catch {
      indexCode = `unreadable-${randomUUID()}`;
    }
  }
  return indexCode;
}

interface CacheHeader {
  readonly format: number;
  readonly code: string;
  readonly source: string;
  readonly lon0: number;
  readonly lat0: number;
  readonly kx0: number;
  readonly ky0: number;
  readonly numItems: number;
  readonly nodeSize: number;
  readonly wideIndices: boolean;
  readonly lengths: readonly number[];
}

const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();
const align8 = (n: number): number => (n + 7) & ~7;

/** The key of a segment file's cache: the SHA-256 of its bytes, fed in order. */
export function segmentFileKey(): { update(bytes: Uint8Array): void; digest(): string } {
  const hash = createHash('sha256');
  return { update: (bytes) => hash.update(bytes), digest: () => hash.digest('hex') };
}

/** The cache file's bytes for `matcher`, built from the segment file whose key is `source` by the code fingerprinted `code`. */
export function encodeMatcherCache(matcher: SegmentMatcher, source: string, code = indexCodeFingerprint()): Buffer {
  const data = matcher.toData();
  const tree = data.tree;
  const parts: Uint8Array[] = [
    new Uint8Array(data.slots.buffer, data.slots.byteOffset, data.slots.byteLength),
    ...(tree === undefined ? [] : [tree.boxes, tree.indices, tree.levelBounds].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength))),
    Buffer.from(JSON.stringify(data.ids)),
  ];
  const body = Buffer.alloc(parts.reduce((sum, p) => sum + align8(p.byteLength), 0));
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += align8(part.byteLength);
  }
  const header: CacheHeader = {
    format: FORMAT,
    code,
    source,
    lon0: data.lon0,
    lat0: data.lat0,
    kx0: data.kx0,
    ky0: data.ky0,
    numItems: tree?.numItems ?? 0,
    nodeSize: tree?.nodeSize ?? 0,
    wideIndices: tree !== undefined && tree.indices instanceof Uint32Array,
    lengths: parts.map((p) => p.byteLength),
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(align8(12 + headerBytes.length));
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(headerBytes.length, 8);
  headerBytes.copy(head, 12);
  const all = Buffer.concat([head, body, Buffer.alloc(32)]);
  sha256(all.subarray(0, all.length - 32)).copy(all, all.length - 32);
  return all;
}

/** The matcher saved in `bytes` when they are a sound cache of the segment file keyed `source`, built by the code fingerprinted `code`; otherwise undefined. */
export function decodeMatcherCache(file: Buffer, source: string, code = indexCodeFingerprint()): SegmentMatcher | undefined {
  if (file.length < 44 || file.toString('latin1', 0, 8) !== MAGIC) return undefined;
  const bytes = file.subarray(0, file.length - 32);
  if (!sha256(bytes).equals(file.subarray(file.length - 32))) return undefined;
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.length) return undefined;
  let header: CacheHeader;
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as CacheHeader;
  } catch {
    return undefined;
  }
  if (header.format !== FORMAT || header.code !== code || header.source !== source) return undefined;
  const body = bytes.subarray(align8(12 + headerLength));
  const lengths = header.lengths;
  if (!Array.isArray(lengths) || (lengths.length !== 2 && lengths.length !== 5)) return undefined;
  let at = 0;
  let part = 0;
  // Copies, so that each array starts on its own aligned buffer whatever the read buffer's offset.
  const next = (): ArrayBuffer => {
    const length = lengths[part++];
    const copy = new Uint8Array(length);
    copy.set(body.subarray(at, at + length));
    at += align8(length);
    return copy.buffer;
  };
  const slots = new Float64Array(next());
  const tree =
    lengths.length === 5
      ? {
          numItems: header.numItems,
          nodeSize: header.nodeSize,
          boxes: new Float32Array(next()),
          indices: header.wideIndices ? new Uint32Array(next()) : new Uint16Array(next()),
          levelBounds: new Uint32Array(next()),
        }
      : undefined;
  const ids = JSON.parse(Buffer.from(next()).toString('utf8')) as string[];
  const data: SegmentMatcherData = { lon0: header.lon0, lat0: header.lat0, kx0: header.kx0, ky0: header.ky0, tree, slots, ids };
  return SegmentMatcher.fromData(data);
}

/** Reads a cache file; undefined when it is missing, unreadable or not a sound cache of `source`. */
export async function readMatcherCache(path: string, source: string): Promise<SegmentMatcher | undefined> {
  const bytes = await readFile(path).catch(() => undefined);
  return bytes === undefined ? undefined : decodeMatcherCache(bytes, source);
}

/** Writes a cache file whole or not at all (a temporary file renamed into place). */
export async function writeMatcherCache(path: string, matcher: SegmentMatcher, source: string): Promise<void> {
  const temp = `${path}.partial-${process.pid}`;
  try {
    await writeFile(temp, encodeMatcherCache(matcher, source));
    await rename(temp, path);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
