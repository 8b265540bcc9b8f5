/**
 * Traffic counts of a region: a CSV with one `id,aadt` row per counted road, `id` a segment id
 * (`w123-4`) or an OSM way id (`123` or `w123`, every segment of the way), `aadt` vehicles a day.
 * A header row `id,aadt` is optional; blank lines and `#` comments are skipped. Any other line is
 * refused with its line number, so a typo never silently falls back to the assumed volume.
 */
export function parseAadtCsv(text: string, source = 'counts.csv'): Map<string, number> {
  const counts = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    if (i === 0 && cells[0]?.toLowerCase() === 'id' && cells[1]?.toLowerCase() === 'aadt') return;
    const where = `${source}:${i + 1}`;
    if (cells.length !== 2) throw new Error(`${where}: expected "id,aadt", got ${cells.length} field(s)`);
    const [id, value] = cells;
    const key = /^w?\d+$/.test(id) ? id.replace(/^w/, '') : /^w\d+-\d+$/.test(id) ? id : null;
    if (key === null) throw new Error(`${where}: id "${id}" is neither a segment id (w123-4) nor a way id (123)`);
    const aadt = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(aadt) || aadt > 500_000) {
      throw new Error(`${where}: aadt "${value}" is not a number of vehicles a day from 0 to 500000`);
    }
    if (counts.has(key)) throw new Error(`${where}: ${id} is counted twice`);
    counts.set(key, aadt);
  });
  return counts;
}
