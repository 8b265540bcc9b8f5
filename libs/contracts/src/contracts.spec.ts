import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TOPICS, COUNTERMEASURES, COUNTERMEASURE_BY_HAZARD, HAZARD_CATEGORIES, decodeMessage, hazardCategoriesFixedBy, isStorableText, topicName } from './index';

const FIXTURES = join(__dirname, '..', 'fixtures');

function fixtureFiles(topic: string, kind: 'valid' | 'invalid'): string[] {
  const dir = join(FIXTURES, topic, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f));
}

describe('topic contracts', () => {
  it('every fixture folder belongs to a known topic', () => {
    const known = new Set<string>(ALL_TOPICS.map((t) => t.topic));
    for (const dir of readdirSync(FIXTURES)) expect(known).toContain(dir);
  });

  describe.each(ALL_TOPICS.map((t) => [t.topic, t] as const))('%s', (name, contract) => {
    it('follows the naming rule roadloop.<entity>.<event>.v<N> with N = schemaVersion', () => {
      expect(name).toMatch(/^roadloop\.[a-z-]+\.[a-z-]+\.v\d+$/);
      expect(name.endsWith(`.v${contract.schemaVersion}`)).toBe(true);
    });

    it('declares its retention', () => {
      expect(['history', 'latest-per-key', 'broker-default']).toContain(contract.retention);
    });

    it('has at least one valid and one invalid example', () => {
      expect(fixtureFiles(name, 'valid').length).toBeGreaterThan(0);
      expect(fixtureFiles(name, 'invalid').length).toBeGreaterThan(0);
    });

    it.each(fixtureFiles(name, 'valid'))('accepts %s and keys it', (file) => {
      const result = decodeMessage(contract, readFileSync(file));
      if (!result.ok) throw new Error(result.reason);
      expect(contract.key(result.value)).toEqual(expect.any(String));
      expect(contract.key(result.value).length).toBeGreaterThan(0);
    });

    it.each(fixtureFiles(name, 'invalid'))('rejects %s with the field named', (file) => {
      const result = decodeMessage(contract, readFileSync(file));
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.code).toBe('INVALID_SCHEMA');
        expect(result.reason).toMatch(/[a-zA-Z]+(\.[a-zA-Z0-9]+)*: /);
      }
    });
  });
});

/** Every string and every object of a JSON value, with its path. */
function* leaves(value: unknown, path: (string | number)[] = []): Generator<{ path: (string | number)[]; value: unknown }> {
  if (typeof value === 'string') yield { path, value };
  if (value && typeof value === 'object') {
    if (!Array.isArray(value)) yield { path, value };
    for (const [k, v] of Object.entries(value)) yield* leaves(v, [...path, Array.isArray(value) ? Number(k) : k]);
  }
}

function withChange(json: unknown, path: (string | number)[], change: (old: unknown) => unknown): unknown {
  const copy = structuredClone(json) as Record<string | number, unknown>;
  if (!path.length) return change(copy);
  let at = copy;
  for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>;
  at[path[path.length - 1]] = change(at[path[path.length - 1]]);
  return copy;
}

describe('what producers get wrong', () => {
  const cases = ALL_TOPICS.flatMap((contract) =>
    fixtureFiles(contract.topic, 'valid').map((file) => [`${contract.topic}/${file.split('/').pop()}`, contract, JSON.parse(readFileSync(file, 'utf8')) as unknown] as const),
  );

  it.each(cases)('%s: a NUL or an unpaired surrogate in any string is refused, naming the field', (_, contract, json) => {
    const strings = [...leaves(json)].filter((l) => typeof l.value === 'string');
    expect(strings.length).toBeGreaterThan(0);
    for (const bad of ['\u0000', '\ud800']) {
      for (const { path } of strings) {
        const result = decodeMessage(contract, Buffer.from(JSON.stringify(withChange(json, path, (v) => `${v as string}${bad}`))));
        expect({ path, result }).toMatchObject({ path, result: { ok: false, code: 'INVALID_SCHEMA', reason: expect.stringContaining(`${path.join('.')}: `) } });
      }
    }
  });

  it.each(cases)('%s: an unknown field in any object is refused, naming it', (_, contract, json) => {
    for (const { path } of [...leaves(json)].filter((l) => typeof l.value === 'object')) {
      const result = decodeMessage(contract, Buffer.from(JSON.stringify(withChange(json, path, (o) => ({ ...(o as object), weathr: 'rain' })))));
      expect({ path, result }).toMatchObject({ path, result: { ok: false, code: 'INVALID_SCHEMA', reason: expect.stringContaining(`${[...path, 'weathr'].join('.')}: unknown field`) } });
    }
  });

  it('gives every valid example an event id of its own (they are copied as templates)', () => {
    const ids = cases.map(([, , json]) => (json as { eventId: string }).eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe(isStorableText.name, () => {
  it('refuses NUL and unpaired surrogates, and keeps everything else, astral characters and control characters included', () => {
    expect(['a\u0000b', '\u0000', 'x\ud800', '\udc00x', 'a\udc00\ud800b'].map(isStorableText)).toEqual([false, false, false, false, false]);
    expect(['', 'Sant Julià de Lòria', '🚧 rockfall \ud83d\udea7', 'line\nbreak\ttab\u0001\u001f\u007f'].map(isStorableText)).toEqual([true, true, true, true]);
  });
});

describe(decodeMessage.name, () => {
  const [contract] = ALL_TOPICS;

  it('calls non-JSON bytes unparseable', () => {
    const result = decodeMessage(contract, Buffer.from('{"truncated": '));
    expect(result).toMatchObject({ ok: false, code: 'UNPARSEABLE' });
  });

  it('calls invalid UTF-8 unparseable', () => {
    const result = decodeMessage(contract, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(result).toMatchObject({ ok: false, code: 'UNPARSEABLE' });
  });

  it('decodes each value on its own: one cut inside a character leaves nothing behind for the next', () => {
    // `{"a":"é` cut after the first of the two bytes of é.
    const cut = Buffer.from('{"a":"\u00e9"}').subarray(0, 7);
    expect(decodeMessage(contract, cut)).toMatchObject({ ok: false, code: 'UNPARSEABLE' });
    const [valid] = fixtureFiles(contract.topic, 'valid');
    expect(decodeMessage(contract, readFileSync(valid))).toMatchObject({ ok: true });
  });

  it('refuses empty and tombstone values', () => {
    expect(decodeMessage(contract, null)).toMatchObject({ ok: false, code: 'UNPARSEABLE' });
    expect(decodeMessage(contract, Buffer.alloc(0))).toMatchObject({ ok: false, code: 'UNPARSEABLE' });
  });

  it('refuses oversized values without parsing them', () => {
    const result = decodeMessage(contract, Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(result).toMatchObject({ ok: false, code: 'UNPARSEABLE' });
  });
});

describe(topicName.name, () => {
  it('prefixes only when a prefix is configured', () => {
    expect(topicName({ topic: 'roadloop.a.b.v1' })).toBe('roadloop.a.b.v1');
    expect(topicName({ topic: 'roadloop.a.b.v1' }, 'run42')).toBe('run42.roadloop.a.b.v1');
  });
});

describe('countermeasures and the hazards they remove', () => {
  it('gives every hazard category a countermeasure of the catalogue, and inverts the mapping', () => {
    for (const category of HAZARD_CATEGORIES) expect(COUNTERMEASURES).toContain(COUNTERMEASURE_BY_HAZARD[category]);
    expect(hazardCategoriesFixedBy('guardrail')).toEqual(['missing_guardrail', 'damaged_guardrail']);
    expect(hazardCategoriesFixedBy('rockfall_clearing')).toEqual(['rockfall', 'landslide']);
    expect(hazardCategoriesFixedBy('speed_humps')).toEqual([]);
  });
});
