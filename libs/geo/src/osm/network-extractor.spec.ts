import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { andorraFile } from '../../test/andorra-data';
import { lineLengthM } from '../geometry/ruler';
import { assembleRings } from './multipolygon';
import { extractNetwork, wayRoles } from './network-extractor';

describe('extractNetwork on the Andorra extract', () => {
  it('keeps the road, water, cliff and guardrail features the README lists, and no more', async () => {
    const { network, read } = await extractNetwork(andorraFile('andorra.osm.pbf'));
    expect(read).toMatchObject({ nodes: 69644, ways: 2725, relations: 74 });
    const byClass: Record<string, number> = {};
    for (const w of network.roads) byClass[w.roadClass] = (byClass[w.roadClass] ?? 0) + 1;
    // README "Roads" table, scored classes only.
    expect(byClass).toEqual({
      residential: 468,
      primary: 309,
      track: 152,
      secondary: 144,
      service: 124,
      unclassified: 98,
      primary_link: 17,
      tertiary: 9,
      secondary_link: 4,
    });
    const km = network.roads.reduce((s, w) => s + w.lines.reduce((t, l) => t + lineLengthM(l), 0), 0) / 1000;
    expect(km).toBeGreaterThan(531.1); // README: 531.6 km geodesic
    expect(km).toBeLessThan(532.1);
    expect(network.roads.filter((w) => w.tags.bridge === 'yes')).toHaveLength(121);
    expect(network.roads.filter((w) => w.tags.tunnel === 'yes')).toHaveLength(14);
    // Water: 132 waterway lines (river 20, stream 86, ditch 18, canal 5, drain 3) and 98 areas.
    const lines: Record<string, number> = {};
    for (const l of network.waterLines) lines[l.type] = (lines[l.type] ?? 0) + 1;
    expect(lines).toEqual({ river: 20, stream: 86, ditch: 18, canal: 5, drain: 3 });
    expect(network.waterAreas).toHaveLength(98);
    expect(network.waterAreas.filter((a) => a.id.startsWith('r'))).toHaveLength(1);
    expect(network.waterAreas.filter((a) => a.type === 'reservoir')).toHaveLength(7);
    expect(network.waterAreas.filter((a) => a.type === 'riverbank')).toHaveLength(9);
    // This snapshot maps no cliffs and no guard rails: the engine must work without them.
    expect(network.cliffs).toEqual([]);
    expect(network.guardrails).toEqual([]);
    expect(network.stats).toMatchObject({ skippedRoadWays: 0, missingNodeRefs: 0 });
    expect(network.warnings).toEqual([]);
  });
});

const BROKEN = `<?xml version="1.0"?>
<osm version="0.6">
  <node id="1" lat="42.5" lon="1.5"/>
  <node id="2" lat="42.5" lon="1.501"/>
  <node id="3" lat="42.5" lon="1.502"/>
  <node id="4" lat="42.5" lon="1.502"/>
  <node id="5" lat="42.501" lon="1.502"/>
  <node id="6" lat="42.505" lon="1.505"/>
  <node id="11" lat="42.51" lon="1.51"/>
  <node id="12" lat="42.51" lon="1.52"/>
  <node id="13" lat="42.52" lon="1.52"/>
  <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="5"/><tag k="highway" v="residential"/></way>
  <way id="101"><nd ref="6"/><nd ref="6"/><tag k="highway" v="service"/></way>
  <way id="102"><nd ref="6"/><tag k="highway" v="track"/></way>
  <way id="103"><nd ref="1"/><nd ref="2"/><nd ref="999"/><nd ref="5"/><nd ref="6"/><tag k="highway" v="primary"/></way>
  <way id="104"><nd ref="1"/><nd ref="6"/><tag k="highway" v="footway"/></way>
  <way id="105"><nd ref="1"/><nd ref="6"/><tag k="highway" v="primary"/><tag k="area" v="yes"/></way>
  <way id="200"><nd ref="11"/><nd ref="12"/></way>
  <way id="201"><nd ref="12"/><nd ref="13"/></way>
  <way id="202"><nd ref="13"/><nd ref="11"/></way>
  <way id="203"><nd ref="1"/><nd ref="3"/></way>
  <relation id="300"><member type="way" ref="200" role="outer"/><member type="way" ref="202" role="outer"/><member type="way" ref="201" role="outer"/>
    <tag k="type" v="multipolygon"/><tag k="natural" v="water"/><tag k="name" v="Estany"/></relation>
  <relation id="301"><member type="way" ref="203" role="outer"/><member type="way" ref="404" role="outer"/>
    <tag k="type" v="multipolygon"/><tag k="landuse" v="reservoir"/></relation>
</osm>`;

describe('extractNetwork on awkward data', () => {
  it('removes duplicate nodes, skips zero-length ways, cuts ways at missing nodes, reports open multipolygons', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-net-'));
    try {
      const file = join(dir, 'broken.osm');
      writeFileSync(file, BROKEN);
      const { network } = await extractNetwork(file);
      expect(network.roads.map((w) => w.id)).toEqual([100, 103]);
      const w100 = network.roads[0];
      expect(w100.lines).toHaveLength(1);
      expect(w100.lines[0]).toHaveLength(4); // 1, 2, 3(=4), 5
      const w103 = network.roads[1];
      expect(w103.lines).toHaveLength(2); // cut at the missing node 999
      expect(network.stats).toMatchObject({ skippedRoadWays: 2, duplicateNodesRemoved: 3, missingNodeRefs: 1 });
      expect(network.waterAreas).toEqual([expect.objectContaining({ id: 'r300', type: 'lake', name: 'Estany' })]);
      expect(network.waterAreas[0].rings[0]).toHaveLength(4);
      // r301 misses a member: its open edges still count as water, with a warning.
      expect(network.waterLines).toEqual([expect.objectContaining({ id: 'r301', type: 'reservoir' })]);
      expect(network.warnings.join('\n')).toMatch(/2 road ways skipped/);
      expect(network.warnings.join('\n')).toMatch(/cut at the gaps/);
      expect(network.warnings.join('\n')).toMatch(/multipolygon r301/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(assembleRings.name, () => {
  it('joins ways in any direction into closed rings', () => {
    const { rings, open } = assembleRings([
      [1, 2, 3],
      [5, 4, 3],
      [5, 6, 1],
      [10, 11, 12, 10],
    ]);
    expect(open).toEqual([]);
    expect(rings).toHaveLength(2);
    expect(rings).toContainEqual([10, 11, 12, 10]);
    const big = rings.find((r) => r.length === 7)!;
    expect(big[0]).toBe(big[6]);
    expect(new Set(big)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
  });

  it('returns chains that do not close as open', () => {
    const { rings, open } = assembleRings([
      [1, 2],
      [2, 3],
    ]);
    expect(rings).toEqual([]);
    expect(open).toEqual([[1, 2, 3]]);
  });
});

describe(wayRoles.name, () => {
  const roads = new Set(['primary']);
  const ring = [1, 2, 3, 1];

  it('tells a road, water, a cliff and a guardrail apart; a way may be several', () => {
    expect(wayRoles({ refs: [1, 2], tags: { highway: 'primary', bridge: 'yes' } }, roads)).toEqual({ road: true, water: null, unclosedArea: false, cliff: false, guardrail: false });
    expect(wayRoles({ refs: [1, 2], tags: { highway: 'footway' } }, roads).road).toBe(false);
    expect(wayRoles({ refs: [1, 2], tags: { highway: 'primary', area: 'yes' } }, roads).road).toBe(false);
    expect(wayRoles({ refs: [1, 2], tags: { natural: 'cliff', barrier: 'guard_rail' } }, roads)).toMatchObject({ cliff: true, guardrail: true });
    expect(wayRoles({ refs: [1, 2], tags: { waterway: 'river' } }, roads).water).toEqual({ type: 'river', area: false });
    expect(wayRoles({ refs: [1, 2], tags: { natural: 'coastline' } }, roads).water).toEqual({ type: 'sea', area: false });
  });

  it('keeps a closed water area as an area, and an unclosed one as a line it counts', () => {
    expect(wayRoles({ refs: ring, tags: { natural: 'water' } }, roads)).toMatchObject({ water: { type: 'lake', area: true }, unclosedArea: false });
    expect(wayRoles({ refs: [1, 2, 3], tags: { natural: 'water', water: 'reservoir' } }, roads)).toMatchObject({
      water: { type: 'reservoir', area: false },
      unclosedArea: true,
    });
    // A waterway line that is also area-tagged but open is a line, not an unclosed area.
    expect(wayRoles({ refs: [1, 2, 3], tags: { waterway: 'canal', natural: 'water' } }, roads)).toMatchObject({ water: { type: 'canal', area: false }, unclosedArea: false });
  });
});
