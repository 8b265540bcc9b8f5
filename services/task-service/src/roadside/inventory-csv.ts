/**
 * An inventory CSV: a header naming the columns segmentId, side, fromM, toM, status (and optionally
 * observedAt), then one row per surveyed part of a segment side. Numbers are read as numbers; what
 * is wrong with a row is left to the row schema, which names it. Quoted fields are not needed here
 * (no column holds a comma) and are refused.
 */
export const INVENTORY_COLUMNS = ['segmentId', 'side', 'fromM', 'toM', 'status', 'observedAt'] as const;
const REQUIRED = INVENTORY_COLUMNS.slice(0, 5);

export type CsvResult = { ok: true; rows: Record<string, unknown>[] } | { ok: false; problems: { field: string; message: string }[] };

export function parseInventoryCsv(text: string): CsvResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) return { ok: false, problems: [{ field: 'csv', message: 'empty: a header and at least one row are needed' }] };
  const header = lines[0].split(',').map((h) => h.trim());
  const missing = REQUIRED.filter((c) => !header.includes(c));
  const unknown = header.filter((h) => !(INVENTORY_COLUMNS as readonly string[]).includes(h));
  if (missing.length || unknown.length) {
    return {
      ok: false,
      problems: [{ field: 'csv', message: `header: ${[missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `unknown ${unknown.join(', ')}` : ''].filter(Boolean).join('; ')}` }],
    };
  }
  const problems: { field: string; message: string }[] = [];
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length || line.includes('"')) problems.push({ field: `rows.${i + 1}`, message: `row ${i + 1}: ${cells.length} cells for ${header.length} columns (no quotes)` });
    const row: Record<string, unknown> = {};
    header.forEach((h, k) => {
      const v = cells[k] ?? '';
      if (h === 'observedAt' && v === '') return;
      row[h] = h === 'fromM' || h === 'toM' ? (v === '' || Number.isNaN(Number(v)) ? v : Number(v)) : v;
    });
    return row;
  });
  return problems.length ? { ok: false, problems } : { ok: true, rows };
}
