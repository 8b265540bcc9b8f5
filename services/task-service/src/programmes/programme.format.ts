/** A stored programme as a table (CSV, the columns of `roadloop-geo programme`) and a map layer (GeoJSON). */
import { featureCollection, toCsv } from '@roadloop/http';
import type { ProgrammeItem } from './programme.repository';
import type { ProgrammeView } from './programme.service';

const COLUMNS = ['item', 'stretchId', 'road', 'side', 'countermeasure', 'lengthKm', 'segments', 'cost', 'fsiPrevented', 'bcr', 'serviceLifeYears', 'taskId'] as const;

export function programmeRow(i: ProgrammeItem) {
  return {
    item: i.itemNo,
    stretchId: i.stretchId,
    road: i.roadKey,
    side: i.side,
    countermeasure: i.countermeasure,
    lengthKm: Math.round(i.lengthM) / 1000,
    segments: i.members.length,
    cost: i.cost,
    fsiPrevented: Math.round(i.fsiPrevented * 1e4) / 1e4,
    bcr: Math.round(i.bcr * 100) / 100,
    serviceLifeYears: i.serviceLifeYears,
    taskId: i.taskId,
  };
}

export function programmeCsv(items: readonly ProgrammeItem[]): string {
  return toCsv(COLUMNS, items.map((i) => {
    const row = programmeRow(i);
    return COLUMNS.map((c) => row[c]);
  }));
}

/** One MultiLineString per item; the programme's totals and state as foreign members. */
export function programmeGeoJson(p: ProgrammeView) {
  const { items, summary, ...programme } = p;
  return featureCollection(
    items.map((i) => ({
      type: 'Feature' as const,
      id: `${p.id}/${i.itemNo}`,
      geometry: i.geometry,
      properties: { ...programmeRow(i), members: i.members.map((m) => m.segmentId) },
    })),
    { programme: { ...programme, ...summary } },
  );
}
