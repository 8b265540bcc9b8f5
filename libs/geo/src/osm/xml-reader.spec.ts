import { describe, expect, it } from '@jest/globals';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { andorraFile } from '../../test/andorra-data';
import { extractNetwork } from './network-extractor';
import type { OsmRelation, OsmWay } from './osm.types';
import { readOsmPbf } from './pbf-reader';
import { decodeXmlEntities, readOsmXml } from './xml-reader';

const SAMPLE = `<?xml version='1.0' encoding='UTF-8'?>
<!-- a hand-made extract -->
<osm version="0.6" generator='hand'>
  <bounds minlat="42.5" minlon="1.5" maxlat="42.6" maxlon="1.6"/>
  <node id="1" lat="42.5" lon="1.5"/>
  <node id='2' lat='42.501' lon='1.501'>
    <tag k="name" v="Caf&#233; &amp; &quot;Bar&quot; &lt;1&gt; a>b"/>
  </node>
  <node id="3" lat="42.502" lon="1.5015" visible="true"></node>
  <way id="10">
    <nd ref="1"/><nd ref="2"/><nd ref='3'/>
    <tag k="highway" v="track"/>
    <tag k='note' v='it&apos;s "quoted" &#x263A;'/>
  </way>
  <relation id="20">
    <member type="way" ref="10" role="outer"/>
    <member type='node' ref='1' role=''/>
    <tag k="type" v="multipolygon"/>
  </relation>
</osm>
`;

function tmpFile(name: string, content: string): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'roadloop-xml-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe(readOsmXml.name, () => {
  it('reads nodes, ways, relations, tags with either quote and all entities', async () => {
    const { file, cleanup } = tmpFile('sample.osm', SAMPLE);
    try {
      const nodes: [number, number, number, Record<string, string> | null][] = [];
      const ways: OsmWay[] = [];
      const relations: OsmRelation[] = [];
      const stats = await readOsmXml(file, {
        nodeTags: true,
        node: (id, lon, lat, tags) => void nodes.push([id, lon, lat, tags]),
        way: (w) => void ways.push(w),
        relation: (r) => void relations.push(r),
      });
      expect(stats).toEqual({ format: 'xml', nodes: 3, ways: 1, relations: 1, bbox: [1.5, 42.5, 1.6, 42.6] });
      expect(nodes.map((n) => n[0])).toEqual([1, 2, 3]);
      expect(nodes[1][3]).toEqual({ name: 'Café & "Bar" <1> a>b' });
      expect(ways[0]).toEqual({ id: 10, refs: [1, 2, 3], tags: { highway: 'track', note: 'it\'s "quoted" ☺' } });
      expect(relations[0].members).toEqual([
        { type: 'way', ref: 10, role: 'outer' },
        { type: 'node', ref: 1, role: '' },
      ]);
    } finally {
      cleanup();
    }
  });

  it('decodes numeric and named entities', () => {
    expect(decodeXmlEntities('a &amp;&lt;&gt;&quot;&apos; &#65;&#x42;')).toBe('a &<>"\' AB');
    expect(decodeXmlEntities('plain')).toBe('plain');
  });

  it.each([
    ['cut inside an element', SAMPLE.slice(0, SAMPLE.indexOf('<tag k="highway"') + 5), 'OSM_TRUNCATED'],
    ['cut before </osm>', SAMPLE.slice(0, SAMPLE.indexOf('</osm>')), 'OSM_TRUNCATED'],
    ['not OSM', '<?xml version="1.0"?><gpx><trk/></gpx>', 'OSM_INVALID'],
    ['a node without coordinates', '<osm><node id="1"/></osm>', 'OSM_INVALID'],
    ['a way without an id', '<osm><way><nd ref="1"/></way></osm>', 'OSM_INVALID'],
  ])('rejects a file %s with %s', async (_what, content, code) => {
    const { file, cleanup } = tmpFile('bad.osm', content);
    try {
      await expect(readOsmXml(file, { way: () => undefined, node: () => undefined })).rejects.toMatchObject({ code });
    } finally {
      cleanup();
    }
  });

  it('gives the same network as the PBF reader for the whole Andorra extract', async () => {
    // Write the PBF's content as OSM XML (odd quoting and entities on purpose), read both ways.
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-xml-'));
    try {
      const xmlFile = join(dir, 'andorra.osm');
      const out = createWriteStream(xmlFile);
      const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
      const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', "<osm version='0.6'>"];
      const tags = (t: Record<string, string>) => Object.entries(t).map(([k, v]) => `  <tag k="${esc(k)}" v="${esc(v)}"/>`);
      await readOsmPbf(andorraFile('andorra.osm.pbf'), {
        nodeTags: true,
        node: (id, lon, lat, t) => {
          const tl = t ? tags(t) : [];
          if (tl.length === 0) lines.push(`<node id='${id}' lat='${lat}' lon='${lon}'/>`);
          else lines.push(`<node id="${id}" lat="${lat}" lon="${lon}">`, ...tl, '</node>');
        },
        way: (w) => lines.push(`<way id="${w.id}">`, ...w.refs.map((r) => `  <nd ref="${r}"/>`), ...tags(w.tags), '</way>'),
        relation: (r) =>
          lines.push(`<relation id="${r.id}">`, ...r.members.map((m) => `  <member type="${m.type}" ref="${m.ref}" role="${esc(m.role)}"/>`), ...tags(r.tags), '</relation>'),
      });
      lines.push('</osm>');
      out.end(lines.join('\n'));
      await once(out, 'finish');
      const fromPbf = await extractNetwork(andorraFile('andorra.osm.pbf'));
      const fromXml = await extractNetwork(xmlFile);
      expect(fromXml.read).toMatchObject({ format: 'xml', nodes: 69644, ways: 2725, relations: 74 });
      expect(fromXml.network).toEqual(fromPbf.network);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
