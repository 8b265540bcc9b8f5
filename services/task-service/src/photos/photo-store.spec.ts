import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskPhotoStore, originalKey, thumbnailKey } from './photo-store';

const root = mkdtempSync(join(tmpdir(), 'photo-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sha = (c: string) => c.repeat(64);

describe(DiskPhotoStore.name, () => {
  const sut = new DiskPhotoStore(root);

  it('keeps bytes under their key, fanned out in folders, and gives them back', async () => {
    await sut.put(originalKey(sha('a')), Buffer.from('photo'));
    await sut.put(thumbnailKey(sha('a')), Buffer.from('thumb'));
    expect((await sut.get(originalKey(sha('a'))))?.toString()).toBe('photo');
    expect((await sut.get(thumbnailKey(sha('a'))))?.toString()).toBe('thumb');
    expect(await sut.has(originalKey(sha('a')))).toBe(true);
    expect(readdirSync(join(root, 'originals', 'aa', 'aa'))).toEqual([sha('a')]);
  });

  it('answers null and false for a key it does not hold', async () => {
    expect(await sut.get(originalKey(sha('b')))).toBeNull();
    expect(await sut.has(originalKey(sha('b')))).toBe(false);
  });

  it('takes the same key written concurrently, leaving no temporary file', async () => {
    await Promise.all(Array.from({ length: 8 }, () => sut.put(originalKey(sha('c')), Buffer.from('same bytes'))));
    expect((await sut.get(originalKey(sha('c'))))?.toString()).toBe('same bytes');
    expect(readdirSync(join(root, 'originals', 'cc', 'cc'))).toEqual([sha('c')]);
  });

  it('refuses a key that is not a content address (no way out of its folder)', async () => {
    await expect(sut.put('originals/../../etc/passwd', Buffer.from('x'))).rejects.toThrow(/not a photo store key/);
    await expect(sut.get(`originals/${'A'.repeat(64)}`)).rejects.toThrow(/not a photo store key/);
  });
});
