/**
 * A caller's `x-correlation-id`, when it is 1–200 letters, digits and `._:-`; anything else is
 * ignored rather than propagated into logs and events.
 */
export function correlationIdFrom(header: unknown): string | undefined {
  const value = Array.isArray(header) ? (header as unknown[])[0] : header;
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,200}$/.test(value) ? value : undefined;
}
