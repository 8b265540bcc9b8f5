/** A client may send its own correlation id; anything odd is ignored rather than propagated. */
export function correlationFrom(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._:-]{1,200}$/.test(value) ? value : undefined;
}
