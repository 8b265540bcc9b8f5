import { open } from 'node:fs/promises';
import { GeoError } from '../geo.exception';
import type { OsmReadStats, OsmVisitor } from './osm.types';
import { readOsmPbf } from './pbf-reader';
import { readOsmXml } from './xml-reader';

export type OsmFormat = 'pbf' | 'xml';

/** Tells PBF from XML by the first bytes, not the file name, so a misnamed file still reads. */
export async function detectOsmFormat(path: string): Promise<OsmFormat> {
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      head = Buffer.alloc(64);
      const { bytesRead } = await fh.read(head, 0, 64, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new GeoError('INPUT_NOT_FOUND', `${path}: is a directory, not an OSM file`, { cause: err });
    throw new GeoError('INPUT_NOT_FOUND', `${path}: cannot open OSM file (${code ?? String(err)})`, { cause: err });
  }
  if (head.length === 0) throw new GeoError('OSM_INVALID', `${path}: empty file`);
  // PBF: 4-byte header length, then BlobHeader field 1 (type) = "OSMHeader".
  if (head.length >= 15 && head[4] === 0x0a && head[5] === 0x09 && head.subarray(6, 15).toString('latin1') === 'OSMHeader') return 'pbf';
  if (head[0] === 0x1f && head[1] === 0x8b) throw new GeoError('OSM_UNSUPPORTED_FORMAT', `${path}: gzip-compressed; decompress it first (gunzip)`);
  if (head.subarray(0, 3).toString('latin1') === 'BZh') throw new GeoError('OSM_UNSUPPORTED_FORMAT', `${path}: bzip2-compressed; decompress it first (bunzip2)`);
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) return 'xml';
  throw new GeoError('OSM_INVALID', `${path}: neither OSM PBF nor OSM XML`);
}

/** Streams an OSM file (PBF or XML, detected from its content) through a visitor. */
export async function readOsm(path: string, visitor: OsmVisitor, format?: OsmFormat): Promise<OsmReadStats> {
  const fmt = format ?? (await detectOsmFormat(path));
  return fmt === 'pbf' ? readOsmPbf(path, visitor) : readOsmXml(path, visitor);
}
