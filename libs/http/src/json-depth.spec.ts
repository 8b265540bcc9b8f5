import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, INestApplication, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import { AddressInfo } from 'node:net';
import { configureApp } from './bootstrap';
import { MAX_JSON_DEPTH, jsonNestingDepth } from './json-depth';

/** Stands in for the gateway's forwarding, which serialises the parsed body again. */
@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: unknown): string {
    return JSON.stringify(body);
  }
}

describe(jsonNestingDepth.name, () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonNestingDepth(Buffer.from('1'))).toBe(0);
    expect(jsonNestingDepth(Buffer.from('{"a":[1,{"b":[]}]}'))).toBe(4);
    expect(jsonNestingDepth(Buffer.from('{"a":"[[[[{{{{\\"[[[["}'))).toBe(1);
    expect(jsonNestingDepth(Buffer.from('["\\\\",[["x"]]]'))).toBe(3);
  });

  it('agrees with the parsed value on any JSON', () => {
    const depthOf = (v: unknown): number => (v && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => jsonNestingDepth(Buffer.from(JSON.stringify(v))) === depthOf(v)));
  });
});

describe('JSON bodies nested too deep', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [EchoController] }).compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(() => app.close());

  const post = (text: string) => fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });

  it.each([
    ['arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['objects', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`],
  ])('are refused with a 400 before they are parsed (%s), not a 500 when serialised again', async (_, text) => {
    const res = await post(text);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'JSON_TOO_DEEP', message: expect.stringContaining(`${MAX_JSON_DEPTH}`) });
  });

  it('refuses JSON in another encoding than UTF-8 (RFC 8259), where the depth scan cannot read the bytes', async () => {
    // In UTF-16 an escaped quote puts the byte scan out of step: this body reads as one string to it.
    const deep = `["\\"",${'['.repeat(20_000)}${']'.repeat(20_000)}]`;
    const res = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-16le' }, body: Buffer.from(deep, 'utf16le') });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining('UTF-8') });
    const utf8 = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: '{"a":1}' });
    expect(utf8.status).toBe(201);
  });

  it('takes a GeoJSON MultiPolygon and anything as deep as the limit', async () => {
    const multi = { geometry: { type: 'MultiPolygon', coordinates: [[[[1, 2], [3, 4], [5, 6], [1, 2]]]] } };
    expect((await post(JSON.stringify(multi))).status).toBe(201);
    expect((await post(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).status).toBe(201);
    expect((await post(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).status).toBe(400);
  });
});
