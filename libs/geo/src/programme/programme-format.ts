/** A programme as a table, CSV and GeoJSON (a map layer: one MultiLineString per item). */
import type { Programme, ProgrammeCandidate } from './plan';

export interface ProgrammeRow {
  stretchId: string;
  road: string;
  side: string;
  countermeasure: string;
  lengthKm: number;
  segments: number;
  cost: number;
  fsiPrevented: number;
  bcr: number;
  serviceLifeYears: number;
}

export function programmeRow(c: ProgrammeCandidate): ProgrammeRow {
  return {
    stretchId: c.stretch.id,
    road: c.stretch.roadKey,
    side: c.stretch.side,
    countermeasure: c.countermeasure,
    lengthKm: Math.round(c.stretch.lengthM) / 1000,
    segments: c.stretch.members.length,
    cost: c.cost,
    fsiPrevented: Math.round(c.fsiPrevented * 1e4) / 1e4,
    bcr: Math.round(c.bcr * 100) / 100,
    serviceLifeYears: c.serviceLifeYears,
  };
}

const CSV_COLUMNS: (keyof ProgrammeRow)[] = ['stretchId', 'road', 'side', 'countermeasure', 'lengthKm', 'segments', 'cost', 'fsiPrevented', 'bcr', 'serviceLifeYears'];
const cell = (v: unknown) => {
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function programmeCsv(p: Programme): string {
  return [CSV_COLUMNS.join(','), ...p.chosen.map((c) => CSV_COLUMNS.map((k) => cell(programmeRow(c)[k])).join(','))].join('\n') + '\n';
}

export function programmeGeoJson(p: Programme) {
  return {
    type: 'FeatureCollection' as const,
    programme: {
      year: p.year,
      budget: p.budget,
      currency: p.currency,
      cost: p.optimum.cost,
      fsiPrevented: p.optimum.fsiPrevented,
      costPerFsi: Math.round(p.costPerFsi),
      unknownInventoryAs: p.unknownAs,
    },
    features: p.chosen.map((c) => ({
      type: 'Feature' as const,
      id: c.id,
      geometry: { type: 'MultiLineString' as const, coordinates: c.stretch.lines },
      properties: { ...programmeRow(c), members: c.stretch.members.map((m) => m.segmentId) },
    })),
  };
}
