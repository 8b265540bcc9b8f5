/** Operating speed of a way: its maxspeed tag when usable, else the class default (km/h). */
import type { OsmTags } from '../osm/osm.types';
import type { ScoreConfig } from './score.config';

const MPH = 1.609344; // km per mile

/**
 * Parses OSM maxspeed values: "50", "50 km/h", "30 mph", "walk". Zone codes such as "FR:rural"
 * and "none" give null (the class default applies).
 */
export function parseMaxspeed(value: string | undefined): number | null {
  if (value === undefined) return null;
  const v = value.trim().toLowerCase();
  if (v === 'walk') return 6;
  const m = /^(\d+(?:\.\d+)?)\s*(km\/h|kmh|kph|mph)?$/.exec(v);
  if (!m) return null;
  const n = Number(m[1]) * (m[2] === 'mph' ? MPH : 1);
  return n > 0 ? n : null;
}

export interface Speed {
  kmh: number;
  source: 'maxspeed' | 'default';
}

export function speedOf(tags: OsmTags, roadClass: string, config: ScoreConfig): Speed {
  const tagged = parseMaxspeed(tags.maxspeed);
  if (tagged !== null) return { kmh: tagged, source: 'maxspeed' };
  return { kmh: config.roads.defaultSpeedKmh[roadClass] ?? config.roads.fallbackSpeedKmh, source: 'default' };
}
