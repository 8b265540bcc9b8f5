/** Runs the engine on a golden fixture: its features as the network, its terrain as the DEM. */
import type { Feature, LineString } from 'geojson';
import { HgtTileSet } from '../src/dem/elevation-model';
import { scoreNetwork, type SegmentProperties } from '../src/engine';
import { networkFromGeoJson } from '../src/osm/geojson-network';
import { resolveScoreConfig } from '../src/score/score.config';
import type { FixtureCollection, GoldenCase } from './golden';
import { syntheticTile, type TerrainOrigin, type TerrainSpec } from './synthetic-terrain';

export function scoreFixture(c: GoldenCase, configOverride?: unknown) {
  const network = networkFromGeoJson(c.input);
  const terrain = c.params.terrain as TerrainSpec | undefined;
  const origin = (c.params.origin as TerrainOrigin | undefined) ?? { lon: 1.5, lat: 42.5 };
  const dem = terrain ? HgtTileSet.fromTiles([syntheticTile(terrain, origin)]) : null;
  const config = resolveScoreConfig(configOverride);
  return { network, ...scoreNetwork({ network, dem, config }) };
}

/** The output collection: the input's non-road features, then each segment with chosen properties. */
export function goldenOutput(
  c: GoldenCase,
  segments: readonly Feature<LineString, SegmentProperties>[],
  keys: readonly (keyof SegmentProperties)[],
): FixtureCollection {
  const others = c.input.features.filter((f) => f.properties?.highway === undefined);
  const segs = segments.map((s) => ({
    type: 'Feature' as const,
    properties: Object.fromEntries([['id', s.properties.id], ...keys.map((k) => [k, s.properties[k]])]),
    geometry: s.geometry,
  }));
  return { type: 'FeatureCollection', properties: c.params, features: [...segs, ...others] };
}
