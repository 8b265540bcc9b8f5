/** Rows read in segment order, grouped per `segment_id` (each list in the query's order). */
export function groupBySegment<T>(rows: readonly Record<string, unknown>[], map: (r: Record<string, unknown>) => T): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const r of rows) {
    const id = String(r.segment_id);
    const list = grouped.get(id);
    if (list) list.push(map(r));
    else grouped.set(id, [map(r)]);
  }
  return grouped;
}
