import type { OsmTags } from './osm.types';
import type { WaterType } from './network.types';

/** Road classes scored by default: the classes of the issue and of the PostGIS reference. */
export const DEFAULT_ROAD_CLASSES: readonly string[] = [
  'motorway',
  'motorway_link',
  'trunk',
  'trunk_link',
  'primary',
  'primary_link',
  'secondary',
  'secondary_link',
  'tertiary',
  'tertiary_link',
  'unclassified',
  'residential',
  'track',
  'service',
];

const WATERWAY_LINES: Record<string, WaterType> = {
  river: 'river',
  stream: 'stream',
  canal: 'canal',
  drain: 'drain',
  ditch: 'ditch',
};

/** The road class of a way, or null when it is not a scored road (areas excluded). */
export function roadClassOf(tags: OsmTags, roadClasses: ReadonlySet<string>): string | null {
  const highway = tags.highway;
  if (highway === undefined || !roadClasses.has(highway)) return null;
  if (tags.area === 'yes') return null;
  return highway;
}

/** Water line type from waterway=* (river … ditch), or `sea` for natural=coastline (land on its left). */
export function waterLineTypeOf(tags: OsmTags): WaterType | null {
  if (tags.natural === 'coastline') return 'sea';
  return tags.waterway !== undefined ? (WATERWAY_LINES[tags.waterway] ?? null) : null;
}

/** Water area type from natural=water (+ water=*), waterway=riverbank or landuse=reservoir. */
export function waterAreaTypeOf(tags: OsmTags): WaterType | null {
  if (tags.waterway === 'riverbank') return 'riverbank';
  if (tags.natural === 'water') {
    const water = tags.water;
    if (water === 'river' || water === 'canal' || water === 'stream') return 'riverbank';
    if (water === 'reservoir' || water === 'basin') return 'reservoir';
    return 'lake';
  }
  if (tags.landuse === 'reservoir') return 'reservoir';
  return null;
}

export function isCliff(tags: OsmTags): boolean {
  return tags.natural === 'cliff';
}

export function isGuardrail(tags: OsmTags): boolean {
  return tags.barrier === 'guard_rail';
}
