import { Feature, featureCollection, toCsv } from '@roadloop/http';
import { INDICATOR_NAMES } from './daily-index';
import { IndexItem } from './daily-index.service';

const COLUMNS = ['date', 'jurisdictionId', 'name', 'index', 'band', 'status', ...INDICATOR_NAMES, 'statusReasons', 'source', 'frozen', 'asOf'];

/** One row per jurisdiction and day; indicator columns carry the raw values (the normalised ones are in JSON). */
export function indexCsv(items: IndexItem[]): string {
  return toCsv(
    COLUMNS,
    items.map((i) => [
      i.date, i.jurisdictionId, i.name, i.index, i.band, i.status,
      ...INDICATOR_NAMES.map((n) => i.indicators[n]?.value ?? null),
      i.statusReasons, i.source, i.frozen, i.asOf,
    ]),
  );
}

/** The jurisdictions' outlines with each one's index, band and status; a jurisdiction without an outline gets a null geometry. */
export function indexGeoJson(report: { date: string; method: object; items: IndexItem[] }, outlines: Map<string, object>) {
  const features: Feature[] = report.items.map((i) => ({ type: 'Feature', id: i.jurisdictionId, geometry: outlines.get(i.jurisdictionId) ?? null, properties: i }));
  return featureCollection(features, { date: report.date, method: report.method });
}
