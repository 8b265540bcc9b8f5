import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { scoreFiles } from '@roadloop/geo';
import type { SegmentRecord } from '../segments/segment.repository';

/** The Andorra data lives outside the repository: ../shared/data/andorra from the repository root. */
const DATA = process.env.ROADLOOP_DATA_DIR ?? resolve(__dirname, '../../../../../shared/data/andorra');

/** The engine's properties stored in their own columns; the others are the segment's attributes. */
const COLUMN_KEYS = new Set(['id', 'osmWayId', 'index', 'lengthM', 'roadClass', 'name', 'exposureScore', 'exposureLevel', 'factors']);

function dataFile(name: string): string {
  const path = resolve(DATA, name);
  if (!existsSync(path)) throw new Error(`Andorra test data not found: ${path} (set ROADLOOP_DATA_DIR)`);
  return path;
}

/** Andorra scored by the engine (6,058 segments), as records stored the way an import stores them. */
export async function andorraSegmentRecords(): Promise<SegmentRecord[]> {
  const scored = await scoreFiles({ osmPath: dataFile('andorra.osm.pbf'), demPath: dataFile('N42E001.hgt') });
  return scored.segments.features.map(({ properties: p, geometry }) => ({
    id: p.id,
    osmWayId: p.osmWayId,
    index: p.index,
    roadClass: p.roadClass,
    name: p.name ?? null,
    lengthM: p.lengthM,
    geometry,
    attributes: Object.fromEntries(Object.entries(p).filter(([k]) => !COLUMN_KEYS.has(k))),
    exposureScore: p.exposureScore,
    exposureLevel: p.exposureLevel,
    exposureFactors: p.factors ?? [],
  }));
}
