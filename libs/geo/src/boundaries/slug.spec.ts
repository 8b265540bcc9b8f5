import { describe, expect, it } from '@jest/globals';
import { boundaryIds, slugify } from './slug';

describe('slugify', () => {
  it.each([
    ['Andorra la Vella', 'andorra-la-vella'],
    ['Sant Julià de Lòria', 'sant-julia-de-loria'],
    ['Escaldes-Engordany', 'escaldes-engordany'],
    ["L'Hospitalet-près-l'Andorre", 'l-hospitalet-pres-l-andorre'],
    ['Mérens-les-Vals', 'merens-les-vals'],
    ['  Großröhrsdorf  ', 'grossrohrsdorf'],
    ['Łódź', 'lodz'],
    ['Pallars Sobirà', 'pallars-sobira'],
    ['Catalunya/Cataluña', 'catalunya-cataluna'],
    ['Αθήνα', ''],
    ['---', ''],
  ])('%s → %s', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('stays within the 64 characters of a jurisdiction id, without a trailing hyphen', () => {
    const s = slugify(`${'a'.repeat(63)} b`);
    expect(s).toBe('a'.repeat(63));
    expect(slugify('x'.repeat(100))).toHaveLength(64);
  });
});

describe('boundaryIds', () => {
  it('falls back to r<relationId> and gives shared slugs to the lowest relation id, the others a suffix', () => {
    const ids = boundaryIds([
      { osmRelationId: 30, name: 'Sòl Square' },
      { osmRelationId: 10, name: 'Sol square' },
      { osmRelationId: 20, name: null },
      { osmRelationId: 40, name: 'Αθήνα' },
      { osmRelationId: 50, name: 'SOL SQUARE' },
    ]);
    expect(Object.fromEntries(ids)).toEqual({ 10: 'sol-square', 30: 'sol-square-r30', 20: 'r20', 40: 'r40', 50: 'sol-square-r50' });
  });

  it('does not depend on input order and keeps every id unique and valid for the task service', () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ osmRelationId: 100 + i, name: i % 3 === 0 ? 'Same Name' : i % 3 === 1 ? `Name ${i}` : null }));
    const a = boundaryIds(items);
    const b = boundaryIds([...items].reverse());
    expect(Object.fromEntries(a)).toEqual(Object.fromEntries(b));
    const values = [...a.values()];
    expect(new Set(values).size).toBe(values.length);
    for (const id of values) expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
  });

  it('keeps a suffixed long slug within 64 characters', () => {
    const long = 'n'.repeat(80);
    const ids = boundaryIds([
      { osmRelationId: 1, name: long },
      { osmRelationId: 123456789, name: long },
    ]);
    expect(ids.get(1)).toHaveLength(64);
    expect(ids.get(123456789)).toMatch(/^n+-r123456789$/);
    expect(ids.get(123456789)!.length).toBeLessThanOrEqual(64);
  });
});
