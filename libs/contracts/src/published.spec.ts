import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import * as contracts from './index';
import {
  ALL_TOPICS,
  DEAD_LETTER_PRODUCERS,
  DeadLetterCode,
  TOPIC_USE,
  asyncApiDocument,
  deadLetterTopic,
  decodeMessage,
  fixtureExamples,
  jsonSchemaOf,
  keySchema,
  publishedContractFiles,
  storableString,
  topicJsonSchema,
} from './index';

type Json = Record<string, unknown>;

const LIB = join(__dirname, '..');
const REPO = join(LIB, '..', '..');

/** Every object in a JSON value with its JSON pointer. */
function* objects(value: unknown, pointer = ''): Generator<{ pointer: string; node: Json }> {
  if (!value || typeof value !== 'object') return;
  if (!Array.isArray(value)) yield { pointer, node: value as Json };
  for (const [k, v] of Object.entries(value)) yield* objects(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

function resolvePointer(doc: unknown, ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  let at: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const step = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!at || typeof at !== 'object' || !(step in at)) return undefined;
    at = (at as Json)[step];
  }
  return at;
}

describe('published contracts', () => {
  it('the files kept in the repository are what the code generates (else run `npm run contracts:generate`)', () => {
    const generated = publishedContractFiles(ALL_TOPICS);
    const kept = ['asyncapi.json', ...readdirSync(join(LIB, 'schemas')).map((f) => `schemas/${f}`)];
    expect(kept.sort()).toEqual([...generated.keys()].sort());
    for (const [path, text] of generated) {
      // One comparison per file, so a failure names the stale file.
      expect({ path, text: readFileSync(join(LIB, path), 'utf8') }).toEqual({ path, text });
    }
  });

  describe('AsyncAPI document', () => {
    const doc = asyncApiDocument(ALL_TOPICS, { examples: fixtureExamples(ALL_TOPICS) }) as {
      asyncapi: string;
      info: { title: string; version: string };
      channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
      operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
      components: { messages: Record<string, Json>; schemas: Record<string, Json> };
    };

    it('has the required top-level fields of AsyncAPI 3.0', () => {
      expect(doc.asyncapi).toBe('3.0.0');
      expect(doc.info.title).toEqual(expect.any(String));
      expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(Object.keys(doc.channels).length).toBeGreaterThan(0);
      expect(Object.keys(doc.operations).length).toBeGreaterThan(0);
    });

    it('resolves every $ref', () => {
      const refs = [...objects(doc)].filter(({ node }) => typeof node.$ref === 'string');
      expect(refs.length).toBeGreaterThan(20);
      for (const { pointer, node } of refs) expect({ pointer, target: resolvePointer(doc, node.$ref as string) !== undefined }).toEqual({ pointer, target: true });
    });

    it('has a channel per topic and for the dead letters, addressed by the unprefixed topic name', () => {
      const addresses = Object.values(doc.channels).map((c) => c.address);
      expect(addresses.sort()).toEqual([...ALL_TOPICS.map((t) => t.topic), deadLetterTopic.topic].sort());
    });

    it('sends or receives, on a channel, only messages of that channel', () => {
      for (const [id, op] of Object.entries(doc.operations)) {
        expect({ id, action: ['send', 'receive'].includes(op.action) }).toEqual({ id, action: true });
        expect(op.channel.$ref).toMatch(/^#\/channels\/[^/]+$/);
        for (const m of op.messages) expect(m.$ref.startsWith(`${op.channel.$ref}/messages/`)).toBe(true);
      }
    });

    it('gives every message its headers, payload and Kafka key', () => {
      for (const [id, message] of Object.entries(doc.components.messages)) {
        expect({ id, keys: Object.keys(message) }).toEqual({ id, keys: expect.arrayContaining(['headers', 'payload', 'bindings']) });
        expect((message.bindings as { kafka: { key: unknown } }).kafka.key).toBeDefined();
      }
      expect(Object.keys(resolvePointer(doc, '#/components/schemas/EventHeaders/properties') as Json)).toEqual(['x-event-id', 'x-correlation-id']);
    });

    it('names every dead-letter code and header', () => {
      const headers = doc.components.schemas.DeadLetterHeaders as { properties: Record<string, { enum?: string[] }>; required: string[] };
      expect([...headers.required, contracts.DEAD_LETTER_HEADERS.valueDropped].sort()).toEqual(Object.values(contracts.DEAD_LETTER_HEADERS).sort());
      expect(Object.keys(headers.properties).sort()).toEqual(Object.values(contracts.DEAD_LETTER_HEADERS).sort());
      expect(headers.properties[contracts.DEAD_LETTER_HEADERS.errorCode].enum).toEqual(Object.values(DeadLetterCode));
    });

    it('carries each topic’s valid fixtures as examples', () => {
      const examples = (doc.components.messages['accident.reported.v1'].examples as { payload: unknown }[]).map((e) => e.payload);
      expect(examples.length).toBeGreaterThanOrEqual(2);
      for (const example of examples) expect(decodeMessage(contracts.accidentReportedTopic, Buffer.from(JSON.stringify(example))).ok).toBe(true);
    });
  });

  describe.each(ALL_TOPICS.map((t) => [t.topic, t] as const))('JSON Schema of %s', (topic, contract) => {
    const schema = topicJsonSchema(contract);

    it('refuses unknown fields in every object, as the zod schema does', () => {
      const withProperties = [...objects(schema)].filter(({ node }) => node.type === 'object' && node.properties);
      expect(withProperties.length).toBeGreaterThan(1);
      for (const { pointer, node } of withProperties) expect({ pointer, additionalProperties: node.additionalProperties }).toEqual({ pointer, additionalProperties: false });
    });

    it('states the NUL rule on every free-text field of its fixtures', () => {
      const examples = fixtureExamples([contract])[topic] ?? [];
      expect(examples.length).toBeGreaterThan(0);
      for (const { value } of examples) {
        for (const path of stringPaths(value)) {
          const node = schemaAt(schema, path);
          expect({ path: path.join('.'), found: node !== undefined }).toEqual({ path: path.join('.'), found: true });
          const free = !node!.enum && !node!.const && !node!.format;
          if (free) expect({ path: path.join('.'), not: node!.not }).toEqual({ path: path.join('.'), not: { pattern: '\\u0000' } });
        }
      }
    });

    it('keys by the field TOPIC_USE names, as the contract’s key function does', () => {
      const { keyField } = TOPIC_USE[topic];
      for (const { value } of fixtureExamples([contract])[topic]) {
        expect(contract.key(value as never)).toBe((value as { payload: Json }).payload[keyField]);
      }
      expect(keySchema(contract).type).toBe('string');
    });
  });

  it('states the casualty rule of a crash in JSON Schema', () => {
    const payload = (topicJsonSchema(contracts.accidentReportedTopic).properties as Record<string, Json>).payload;
    expect(payload).toMatchObject({ if: { properties: { propertyDamageOnly: { const: true } } }, then: expect.any(Object), else: expect.any(Object) });
  });

  it('refuses to publish a schema with a refinement JSON Schema does not state', () => {
    const schema = z.strictObject({ name: storableString(), code: z.string().refine((s) => s.length % 2 === 0) });
    expect(() => jsonSchemaOf(schema, 'test')).toThrow(/a refinement at properties\.code has no JSON Schema counterpart/);
  });

  it('says which service produces and consumes each topic as the services’ code does', () => {
    const byIdentifier = new Map<string, string>();
    for (const [name, value] of Object.entries(contracts)) {
      if (name.endsWith('Topic') && value && typeof value === 'object' && 'topic' in value) byIdentifier.set(name, (value as { topic: string }).topic);
    }
    const found = { send: new Set<string>(), receive: new Set<string>() };
    for (const service of ['ingest-gateway', 'risk-service', 'task-service']) {
      for (const file of sourceFiles(join(REPO, 'services', service, 'src'))) {
        const text = readFileSync(file, 'utf8');
        for (const [verb, pattern] of [
          ['send', /\b(?:publish|publishMany|publishEach|outgoingEvent)\(\s*(\w+Topic)\b/g],
          ['receive', /\b(?:subscription|decodeMessage)\(\s*(\w+Topic)\b/g],
        ] as const) {
          for (const match of text.matchAll(pattern)) {
            const topic = byIdentifier.get(match[1]);
            if (!topic) throw new Error(`${relative(REPO, file)}: ${match[1]} is not a contract`);
            found[verb].add(`${service} ${topic}`);
          }
        }
      }
    }
    const stated = { send: new Set<string>(), receive: new Set<string>() };
    for (const [topic, use] of Object.entries(TOPIC_USE)) {
      for (const s of use.producers) stated.send.add(`${s} ${topic}`);
      for (const s of use.consumers) stated.receive.add(`${s} ${topic}`);
    }
    expect([...stated.send].sort()).toEqual([...found.send].sort());
    expect([...stated.receive].sort()).toEqual([...found.receive].sort());
    // Consumers built on libs/kafka's TopicConsumer (`subscription`) dead-letter; the live feed only skips.
    expect([...DEAD_LETTER_PRODUCERS].sort()).toEqual(['risk-service', 'task-service']);
    expect(Object.keys(TOPIC_USE).sort()).toEqual(ALL_TOPICS.map((t) => t.topic).sort());
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.int-spec.ts') && !path.includes('/testing/') ? [path] : [];
  });
}

function stringPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, Array.isArray(value) ? Number(k) : k]));
}

/** The schema node describing the value at a path (through properties, items, tuples and unions). */
function schemaAt(schema: Json, path: (string | number)[]): Json | undefined {
  const candidates = (node: Json): Json[] => [node, ...((node.oneOf ?? node.anyOf ?? []) as Json[]).flatMap(candidates)];
  let nodes = candidates(schema);
  for (const step of path) {
    nodes = nodes.flatMap((n) => {
      if (typeof step === 'number') {
        const items = n.items;
        if (Array.isArray(items)) return items[step] ? candidates(items[step] as Json) : [];
        return items && typeof items === 'object' ? candidates(items as Json) : [];
      }
      const p = (n.properties as Record<string, Json> | undefined)?.[step];
      return p ? candidates(p) : [];
    });
  }
  return nodes.find((n) => n.type === 'string');
}
