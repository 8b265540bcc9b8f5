/** WKB: byte order (1), geometry type (uint32), vertex count (uint32), then x, y doubles per vertex. */
export const WKB_HEADER_BYTES = 9;
const WKB_LITTLE_ENDIAN = 1;
/** ISO WKB type of a 2-D LineString (LineString Z is 1002, M 2002, ZM 3002). */
const WKB_LINESTRING = 2;

/**
 * Opens a 2-D LineString in little-endian WKB (what PostGIS's `ST_AsBinary(geom, 'NDR')` gives):
 * vertex k is (view.getFloat64(9 + 16k, true), view.getFloat64(17 + 16k, true)). Anything else
 * (big-endian, Z or M, another geometry type, a length that does not match the vertex count) gets
 * the reason why, as a message for the caller's error.
 */
export function openWkbLineString(wkb: Uint8Array): { view: DataView; vertices: number } | { refused: string } {
  if (!(wkb instanceof Uint8Array) || wkb.length < WKB_HEADER_BYTES) {
    return { refused: `geometry must be WKB of at least ${WKB_HEADER_BYTES} bytes, got ${wkb instanceof Uint8Array ? `${wkb.length} bytes` : typeof wkb}` };
  }
  const view = new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength);
  if (view.getUint8(0) !== WKB_LITTLE_ENDIAN) return { refused: `geometry must be little-endian (NDR) WKB, got byte order ${view.getUint8(0)}` };
  const type = view.getUint32(1, true);
  if (type !== WKB_LINESTRING) return { refused: `geometry must be a 2-D LineString (WKB type ${WKB_LINESTRING}), got WKB type ${type}` };
  const vertices = view.getUint32(5, true);
  if (wkb.length !== WKB_HEADER_BYTES + 16 * vertices) {
    return { refused: `WKB of ${vertices} vertices must be ${WKB_HEADER_BYTES + 16 * vertices} bytes, got ${wkb.length}` };
  }
  if (vertices < 2) return { refused: `a segment needs at least 2 vertices, got ${vertices}` };
  return { view, vertices };
}
