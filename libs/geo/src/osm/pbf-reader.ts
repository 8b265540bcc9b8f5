/**
 * Streaming OSM PBF reader on `pbf` + `node:zlib`, one blob at a time.
 *
 * Format (https://wiki.openstreetmap.org/wiki/PBF_Format): repeated [int32 big-endian length]
 * [BlobHeader][Blob]; the first blob is an OSMHeader, the others OSMData PrimitiveBlocks holding
 * a string table and PrimitiveGroups of dense nodes, ways and relations. Coordinates are
 * 1e-9 · (offset + granularity · value) degrees; ids, refs and member ids are delta-coded.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { PbfReader } from 'pbf';
import { GeoError } from '../geo.exception';
import type { OsmMember, OsmMemberType, OsmReadStats, OsmTags, OsmVisitor } from './osm.types';

const MAX_HEADER_BYTES = 64 * 1024; // BlobHeader limit from the format spec
const MAX_BLOB_BYTES = 32 * 1024 * 1024; // Blob limit from the format spec
const SUPPORTED_FEATURES = new Set(['OsmSchema-V0.6', 'DenseNodes']);
const MEMBER_TYPES: readonly OsmMemberType[] = ['node', 'way', 'relation'];

interface BlobRef {
  type: string;
  data: Uint8Array;
}

async function readExactly(fh: FileHandle, length: number, position: number, path: string, what: string): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  if (got < length) {
    throw new GeoError('OSM_TRUNCATED', `${path}: truncated OSM PBF file (${what} at byte ${position} needs ${length} bytes, ${got} left)`);
  }
  return buf;
}

function parseBlobHeader(buf: Uint8Array): { type: string; datasize: number } {
  const pbf = new PbfReader(buf);
  let type = '';
  let datasize = -1;
  let field: number;
  while ((field = pbf.nextField())) {
    if (field === 1) type = pbf.readString();
    else if (field === 3) datasize = pbf.readVarint();
  }
  return { type, datasize };
}

function decodeBlob(buf: Uint8Array, path: string, position: number): Uint8Array {
  const pbf = new PbfReader(buf);
  let field: number;
  while ((field = pbf.nextField())) {
    if (field === 1) return pbf.readBytes();
    if (field === 3) {
      const compressed = pbf.readBytes();
      try {
        return inflateSync(compressed);
      } catch (err) {
        throw new GeoError('OSM_INVALID', `${path}: corrupt zlib data in the blob at byte ${position}`, { cause: err });
      }
    }
    if (field === 4 || field === 5 || field === 6 || field === 7) {
      const name = ['lzma', 'bzip2', 'lz4', 'zstd'][field - 4];
      throw new GeoError('OSM_UNSUPPORTED_FEATURE', `${path}: ${name}-compressed blobs are not supported (re-encode with zlib, e.g. osmium cat)`);
    }
  }
  throw new GeoError('OSM_INVALID', `${path}: blob at byte ${position} holds no data`);
}

/** Reads the blobs of a PBF file one at a time. */
async function* readBlobs(path: string): AsyncGenerator<BlobRef> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new GeoError('INPUT_NOT_FOUND', `${path}: cannot open OSM file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  try {
    const size = (await fh.stat()).size;
    let position = 0;
    let first = true;
    while (position < size) {
      const lenBuf = await readExactly(fh, 4, position, path, 'blob length');
      const headerLen = lenBuf.readUInt32BE(0);
      if (headerLen === 0 || headerLen > MAX_HEADER_BYTES) {
        throw new GeoError('OSM_INVALID', first ? `${path}: not an OSM PBF file` : `${path}: corrupt OSM PBF file (blob header of ${headerLen} bytes at byte ${position})`);
      }
      const header = parseBlobHeader(await readExactly(fh, headerLen, position + 4, path, 'blob header'));
      if (first && header.type !== 'OSMHeader') throw new GeoError('OSM_INVALID', `${path}: not an OSM PBF file (first blob is "${header.type}")`);
      if (header.datasize < 0 || header.datasize > MAX_BLOB_BYTES) {
        throw new GeoError('OSM_INVALID', `${path}: corrupt OSM PBF file (blob of ${header.datasize} bytes at byte ${position})`);
      }
      const blobPos = position + 4 + headerLen;
      const blob = await readExactly(fh, header.datasize, blobPos, path, `${header.type} blob`);
      yield { type: header.type, data: decodeBlob(blob, path, blobPos) };
      position = blobPos + header.datasize;
      first = false;
    }
    if (first) throw new GeoError('OSM_INVALID', `${path}: empty file`);
  } finally {
    await fh.close();
  }
}

function parseHeaderBlock(data: Uint8Array, path: string): [number, number, number, number] | null {
  const pbf = new PbfReader(data);
  let bbox: [number, number, number, number] | null = null;
  let field: number;
  while ((field = pbf.nextField())) {
    if (field === 1) {
      const end = pbf.readVarint() + pbf.pos;
      const b = [0, 0, 0, 0]; // left, right, top, bottom in nanodegrees
      let f: number;
      while ((f = pbf.nextField(end))) if (f >= 1 && f <= 4) b[f - 1] = pbf.readSVarint();
      bbox = [b[0] / 1e9, b[3] / 1e9, b[1] / 1e9, b[2] / 1e9];
    } else if (field === 4) {
      const feature = pbf.readString();
      if (!SUPPORTED_FEATURES.has(feature)) {
        throw new GeoError('OSM_UNSUPPORTED_FEATURE', `${path}: the file requires the unsupported PBF feature "${feature}"`);
      }
    }
  }
  return bbox;
}

function tagsOf(keys: number[], vals: number[], strings: string[]): OsmTags {
  const tags: OsmTags = {};
  for (let i = 0; i < keys.length; i++) tags[strings[keys[i]]] = strings[vals[i]];
  return tags;
}

interface BlockContext {
  strings: string[];
  granularity: number;
  latOffset: number;
  lonOffset: number;
}

function decodeDense(pbf: PbfReader, end: number, ctx: BlockContext, visitor: OsmVisitor, stats: OsmReadStats): void {
  const ids: number[] = [];
  const lats: number[] = [];
  const lons: number[] = [];
  const keysVals: number[] = [];
  let field: number;
  while ((field = pbf.nextField(end))) {
    if (field === 1) pbf.readPackedSVarint(ids);
    else if (field === 8) pbf.readPackedSVarint(lats);
    else if (field === 9) pbf.readPackedSVarint(lons);
    else if (field === 10 && visitor.nodeTags) pbf.readPackedVarint(keysVals);
  }
  stats.nodes += ids.length;
  const onNode = visitor.node;
  if (!onNode) return;
  const { granularity, latOffset, lonOffset, strings } = ctx;
  let id = 0;
  let lat = 0;
  let lon = 0;
  let kv = 0;
  for (let i = 0; i < ids.length; i++) {
    id += ids[i];
    lat += lats[i];
    lon += lons[i];
    let tags: OsmTags | null = null;
    if (visitor.nodeTags && keysVals.length > 0) {
      tags = {};
      while (kv < keysVals.length && keysVals[kv] !== 0) {
        tags[strings[keysVals[kv]]] = strings[keysVals[kv + 1]];
        kv += 2;
      }
      kv++; // the 0 that ends this node's pairs
    }
    // Division by 1e9 of an exact integer keeps 7-decimal coordinates exact to the last digit.
    onNode(id, (lonOffset + granularity * lon) / 1e9, (latOffset + granularity * lat) / 1e9, tags);
  }
}

function decodeNode(pbf: PbfReader, end: number, ctx: BlockContext, visitor: OsmVisitor): void {
  let id = 0;
  let lat = 0;
  let lon = 0;
  const keys: number[] = [];
  const vals: number[] = [];
  let field: number;
  while ((field = pbf.nextField(end))) {
    if (field === 1) id = pbf.readSVarint();
    else if (field === 2) pbf.readPackedVarint(keys);
    else if (field === 3) pbf.readPackedVarint(vals);
    else if (field === 8) lat = pbf.readSVarint();
    else if (field === 9) lon = pbf.readSVarint();
  }
  visitor.node?.(
    id,
    (ctx.lonOffset + ctx.granularity * lon) / 1e9,
    (ctx.latOffset + ctx.granularity * lat) / 1e9,
    visitor.nodeTags ? tagsOf(keys, vals, ctx.strings) : null,
  );
}

function decodeWay(pbf: PbfReader, end: number, ctx: BlockContext, visitor: OsmVisitor): void {
  let id = 0;
  const keys: number[] = [];
  const vals: number[] = [];
  const deltas: number[] = [];
  let field: number;
  while ((field = pbf.nextField(end))) {
    if (field === 1) id = pbf.readVarint(true);
    else if (field === 2) pbf.readPackedVarint(keys);
    else if (field === 3) pbf.readPackedVarint(vals);
    else if (field === 8) pbf.readPackedSVarint(deltas);
  }
  const refs = new Array<number>(deltas.length);
  let ref = 0;
  for (let i = 0; i < deltas.length; i++) refs[i] = ref += deltas[i];
  visitor.way?.({ id, refs, tags: tagsOf(keys, vals, ctx.strings) });
}

function decodeRelation(pbf: PbfReader, end: number, ctx: BlockContext, visitor: OsmVisitor): void {
  let id = 0;
  const keys: number[] = [];
  const vals: number[] = [];
  const roles: number[] = [];
  const memids: number[] = [];
  const types: number[] = [];
  let field: number;
  while ((field = pbf.nextField(end))) {
    if (field === 1) id = pbf.readVarint(true);
    else if (field === 2) pbf.readPackedVarint(keys);
    else if (field === 3) pbf.readPackedVarint(vals);
    else if (field === 8) pbf.readPackedVarint(roles, true);
    else if (field === 9) pbf.readPackedSVarint(memids);
    else if (field === 10) pbf.readPackedVarint(types);
  }
  const members: OsmMember[] = new Array(memids.length);
  let ref = 0;
  for (let i = 0; i < memids.length; i++) {
    ref += memids[i];
    members[i] = { type: MEMBER_TYPES[types[i] ?? 0] ?? 'node', ref, role: ctx.strings[roles[i] ?? 0] ?? '' };
  }
  visitor.relation?.({ id, members, tags: tagsOf(keys, vals, ctx.strings) });
}

function decodePrimitiveBlock(data: Uint8Array, visitor: OsmVisitor, stats: OsmReadStats): void {
  const pbf = new PbfReader(data);
  const ctx: BlockContext = { strings: [], granularity: 100, latOffset: 0, lonOffset: 0 };
  const groups: number[] = [];
  let field: number;
  while ((field = pbf.nextField())) {
    if (field === 1) {
      const end = pbf.readVarint() + pbf.pos;
      let f: number;
      while ((f = pbf.nextField(end))) if (f === 1) ctx.strings.push(pbf.readString());
    } else if (field === 2) {
      const len = pbf.readVarint();
      groups.push(pbf.pos, pbf.pos + len);
      pbf.pos += len;
    } else if (field === 17) ctx.granularity = pbf.readVarint();
    else if (field === 19) ctx.latOffset = pbf.readVarint(true);
    else if (field === 20) ctx.lonOffset = pbf.readVarint(true);
  }
  const wantNodes = visitor.node !== undefined;
  const wantWays = visitor.way !== undefined;
  const wantRelations = visitor.relation !== undefined;
  for (let g = 0; g < groups.length; g += 2) {
    pbf.pos = groups[g];
    const groupEnd = groups[g + 1];
    while ((field = pbf.nextField(groupEnd))) {
      if (field === 2 || field === 1 || field === 3 || field === 4) {
        const end = pbf.readVarint() + pbf.pos;
        if (field === 2) {
          if (wantNodes) decodeDense(pbf, end, ctx, visitor, stats);
          else countDense(pbf, end, stats);
        } else if (field === 1) {
          stats.nodes++;
          if (wantNodes) decodeNode(pbf, end, ctx, visitor);
        } else if (field === 3) {
          stats.ways++;
          if (wantWays) decodeWay(pbf, end, ctx, visitor);
        } else {
          stats.relations++;
          if (wantRelations) decodeRelation(pbf, end, ctx, visitor);
        }
        pbf.pos = end;
      }
    }
  }
}

/** Counts dense nodes without decoding coordinates: one pass over the packed id varints. */
function countDense(pbf: PbfReader, end: number, stats: OsmReadStats): void {
  let field: number;
  while ((field = pbf.nextField(end))) {
    if (field === 1) {
      const idsEnd = pbf.readVarint() + pbf.pos;
      const buf = pbf.buf;
      let n = 0;
      for (let p = pbf.pos; p < idsEnd; p++) if (buf[p] < 0x80) n++;
      stats.nodes += n;
      pbf.pos = idsEnd;
    }
  }
}

/** Reads an OSM PBF file block by block, calling the visitor for each wanted element. */
export async function readOsmPbf(path: string, visitor: OsmVisitor): Promise<OsmReadStats> {
  const stats: OsmReadStats = { format: 'pbf', nodes: 0, ways: 0, relations: 0, bbox: null };
  let sawHeader = false;
  for await (const blob of readBlobs(path)) {
    if (blob.type === 'OSMHeader') {
      stats.bbox = parseHeaderBlock(blob.data, path);
      sawHeader = true;
    } else if (blob.type === 'OSMData') {
      if (!sawHeader) throw new GeoError('OSM_INVALID', `${path}: OSMData before the OSMHeader blob`);
      try {
        decodePrimitiveBlock(blob.data, visitor, stats);
      } catch (err) {
        // pbf signals malformed protobuf with RangeError or "Unimplemented type"; anything else
        // comes from the visitor and is not the file's fault.
        if (err instanceof RangeError || (err instanceof Error && err.message.startsWith('Unimplemented type'))) {
          throw new GeoError('OSM_INVALID', `${path}: corrupt PrimitiveBlock (${err.message})`, { cause: err });
        }
        throw err;
      }
    }
    // Unknown blob types are skipped, as the spec asks.
  }
  return stats;
}
