/** CSV for spreadsheets: the one writer behind every `format=csv` answer. */

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/**
 * RFC 4180 CSV: a header row, then one row per record, CRLF line ends. Text a spreadsheet would run
 * as a formula (leading = + - @ tab or CR, OWASP "CSV injection") gets a leading apostrophe; a list
 * is joined with `;`.
 */
export function toCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [columns, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = Array.isArray(value) ? value.join(';') : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
