/**
 * Stable, URL-safe ids for boundaries, made from their names: lower-case ASCII, accents stripped,
 * every run of other characters (spaces, apostrophes, …) one '-'. "Sant Julià de Lòria" →
 * "sant-julia-de-loria". They fit the task service's jurisdiction id pattern
 * (`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`).
 */

const MAX_ID_LENGTH = 64;

/** Letters that Unicode does not decompose into a base letter and a mark. */
const FOLD: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** The slug of a name; '' when nothing ASCII is left (the caller falls back to `r<relationId>`). */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => FOLD[c])
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_ID_LENGTH)
    .replace(/-+$/, '');
}

/**
 * One id per relation: the slug of its name (or `r<relationId>` without a usable name). When
 * several relations share a slug, the lowest relation id keeps it and the others get
 * `<slug>-r<relationId>`, so an id does not depend on the order the file lists them in.
 */
export function boundaryIds(items: readonly { osmRelationId: number; name: string | null }[]): Map<number, string> {
  const base = new Map<number, string>();
  for (const { osmRelationId, name } of items) base.set(osmRelationId, (name && slugify(name)) || `r${osmRelationId}`);
  const owner = new Map<string, number>();
  for (const [rel, slug] of base) {
    const o = owner.get(slug);
    if (o === undefined || rel < o) owner.set(slug, rel);
  }
  const ids = new Map<number, string>();
  const taken = new Set(owner.keys());
  for (const [rel, slug] of base) {
    if (owner.get(slug) === rel) {
      ids.set(rel, slug);
      continue;
    }
    const suffix = `-r${rel}`;
    let id = `${slug.slice(0, MAX_ID_LENGTH - suffix.length).replace(/-+$/, '')}${suffix}`;
    for (let k = 2; taken.has(id); k++) id = `${slug.slice(0, MAX_ID_LENGTH - suffix.length - 4).replace(/-+$/, '')}${suffix}-${k}`;
    taken.add(id);
    ids.set(rel, id);
  }
  return ids;
}
