/** Parses a lifetime like `90s`, `30m`, `8h` or `7d` (a bare number is seconds) into seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`invalid ttl "${text}": expected e.g. 90s, 30m, 8h or 7d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) throw new Error(`invalid ttl "${text}": must be positive`);
  return seconds;
}
