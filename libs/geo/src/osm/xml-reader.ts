/**
 * Streaming reader for OSM XML (`.osm`, API 0.6): a small tokenizer over a read stream that
 * understands exactly what OSM files contain — elements with quoted attributes (either quote),
 * comments, processing instructions, a doctype — and the five XML entities plus numeric ones.
 */
import { createReadStream } from 'node:fs';
import { GeoError } from '../geo.exception';
import type { OsmMember, OsmMemberType, OsmReadStats, OsmTags, OsmVisitor } from './osm.types';

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g;
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlEntities(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(ENTITY, (_m, e: string) => {
    if (e[0] !== '#') return NAMED[e];
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

function parseAttributes(body: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  ATTRIBUTE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ATTRIBUTE.exec(body))) attrs[m[1]] = decodeXmlEntities(m[2] ?? m[3] ?? '');
  return attrs;
}

interface OpenElement {
  kind: 'node' | 'way' | 'relation';
  id: number;
  lon: number;
  lat: number;
  tags: OsmTags;
  refs: number[];
  members: OsmMember[];
}

class OsmXmlParser {
  private rest = '';
  private rootSeen = false;
  private rootClosed = false;
  private current: OpenElement | null = null;
  readonly stats: OsmReadStats = { format: 'xml', nodes: 0, ways: 0, relations: 0, bbox: null };

  constructor(
    private readonly path: string,
    private readonly visitor: OsmVisitor,
  ) {}

  feed(chunk: string): void {
    const buf = this.rest + chunk;
    const len = buf.length;
    let i = 0;
    while (i < len) {
      const lt = buf.indexOf('<', i);
      if (lt < 0) {
        this.checkText(buf.slice(i));
        i = len;
        break;
      }
      if (lt > i) this.checkText(buf.slice(i, lt));
      let end: number;
      if (buf.startsWith('<!--', lt)) {
        end = buf.indexOf('-->', lt + 4);
        if (end < 0) break;
        i = end + 3;
        continue;
      }
      if (buf.startsWith('<?', lt)) {
        end = buf.indexOf('?>', lt + 2);
        if (end < 0) break;
        i = end + 2;
        continue;
      }
      if (buf.startsWith('<![CDATA[', lt)) {
        end = buf.indexOf(']]>', lt + 9);
        if (end < 0) break;
        i = end + 3;
        continue;
      }
      // Find the closing '>' outside quotes: attribute values may hold a literal '>'.
      let j = lt + 1;
      let quote = 0;
      for (; j < len; j++) {
        const c = buf.charCodeAt(j);
        if (quote !== 0) {
          if (c === quote) quote = 0;
        } else if (c === 34 || c === 39) quote = c;
        else if (c === 62) break;
      }
      if (j >= len) {
        i = lt;
        break;
      }
      if (buf.charCodeAt(lt + 1) !== 33 /* '!' doctype */) this.tag(buf.slice(lt + 1, j));
      i = j + 1;
    }
    this.rest = i < len ? buf.slice(i) : '';
  }

  finish(): OsmReadStats {
    if (!this.rootSeen) throw new GeoError('OSM_INVALID', `${this.path}: not an OSM XML file (no <osm> element)`);
    if (!this.rootClosed || this.current !== null || this.rest.trim() !== '') {
      throw new GeoError('OSM_TRUNCATED', `${this.path}: truncated OSM XML file (ends before </osm>)`);
    }
    return this.stats;
  }

  private checkText(text: string): void {
    if (!this.rootSeen && text.trim() !== '') throw new GeoError('OSM_INVALID', `${this.path}: not an OSM XML file`);
  }

  private tag(raw: string): void {
    if (raw.charCodeAt(0) === 47 /* '/' */) {
      this.close(raw.slice(1).trim());
      return;
    }
    const selfClosing = raw.charCodeAt(raw.length - 1) === 47;
    const body = selfClosing ? raw.slice(0, -1) : raw;
    const nameEnd = body.search(/[\s]/);
    const name = nameEnd < 0 ? body : body.slice(0, nameEnd);
    if (!this.rootSeen) {
      if (name !== 'osm') throw new GeoError('OSM_INVALID', `${this.path}: not an OSM XML file (root element <${name}>)`);
      this.rootSeen = true;
      if (selfClosing) this.rootClosed = true;
      return;
    }
    if (this.rootClosed) throw new GeoError('OSM_INVALID', `${this.path}: content after </osm>`);
    switch (name) {
      case 'node':
      case 'way':
      case 'relation': {
        if (this.current) throw new GeoError('OSM_INVALID', `${this.path}: <${name}> inside <${this.current.kind} id="${this.current.id}">`);
        const a = parseAttributes(body);
        const id = Number(a.id);
        if (!Number.isSafeInteger(id)) throw new GeoError('OSM_INVALID', `${this.path}: <${name}> without a valid id`);
        const el: OpenElement = { kind: name, id, lon: NaN, lat: NaN, tags: {}, refs: [], members: [] };
        if (name === 'node') {
          el.lon = Number(a.lon);
          el.lat = Number(a.lat);
          const deleted = a.visible === 'false';
          if (!deleted && (a.lon === undefined || a.lat === undefined || !Number.isFinite(el.lon) || !Number.isFinite(el.lat))) {
            throw new GeoError('OSM_INVALID', `${this.path}: node ${id} has no valid lat/lon`);
          }
        }
        this.current = el;
        if (selfClosing) this.emit();
        return;
      }
      case 'tag': {
        if (!this.current) return;
        const a = parseAttributes(body);
        if (a.k !== undefined) this.current.tags[a.k] = a.v ?? '';
        return;
      }
      case 'nd': {
        if (this.current?.kind !== 'way') return;
        const ref = Number(parseAttributes(body).ref);
        if (!Number.isSafeInteger(ref)) throw new GeoError('OSM_INVALID', `${this.path}: way ${this.current.id} has an <nd> without a valid ref`);
        this.current.refs.push(ref);
        return;
      }
      case 'member': {
        if (this.current?.kind !== 'relation') return;
        const a = parseAttributes(body);
        const ref = Number(a.ref);
        const type = a.type as OsmMemberType;
        if (!Number.isSafeInteger(ref) || (type !== 'node' && type !== 'way' && type !== 'relation')) {
          throw new GeoError('OSM_INVALID', `${this.path}: relation ${this.current.id} has an invalid <member>`);
        }
        this.current.members.push({ type, ref, role: a.role ?? '' });
        return;
      }
      case 'bounds': {
        const a = parseAttributes(body);
        const b = [Number(a.minlon), Number(a.minlat), Number(a.maxlon), Number(a.maxlat)];
        if (b.every(Number.isFinite)) this.stats.bbox = [b[0], b[1], b[2], b[3]];
        return;
      }
      default:
        return; // changeset, note, meta, …: not map data
    }
  }

  private close(name: string): void {
    if (name === 'osm') {
      if (this.current) throw new GeoError('OSM_INVALID', `${this.path}: </osm> inside <${this.current.kind}>`);
      this.rootClosed = true;
    } else if (this.current && name === this.current.kind) this.emit();
  }

  private emit(): void {
    const el = this.current!;
    this.current = null;
    if (el.kind === 'node') {
      this.stats.nodes++;
      if (Number.isFinite(el.lon)) this.visitor.node?.(el.id, el.lon, el.lat, this.visitor.nodeTags ? el.tags : null);
    } else if (el.kind === 'way') {
      this.stats.ways++;
      this.visitor.way?.({ id: el.id, refs: el.refs, tags: el.tags });
    } else {
      this.stats.relations++;
      this.visitor.relation?.({ id: el.id, members: el.members, tags: el.tags });
    }
  }
}

/** Reads an OSM XML file as a stream, calling the visitor for each element in file order. */
export async function readOsmXml(path: string, visitor: OsmVisitor): Promise<OsmReadStats> {
  const parser = new OsmXmlParser(path, visitor);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) parser.feed(chunk as string);
  } catch (err) {
    if (err instanceof GeoError) throw err;
    throw new GeoError('INPUT_NOT_FOUND', `${path}: cannot read OSM file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  } finally {
    stream.destroy();
  }
  return parser.finish();
}
