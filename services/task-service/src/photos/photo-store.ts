import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * Where photo bytes live: a flat key → bytes store with write-once semantics, the shape of an
 * S3-compatible bucket (PUT object, GET object, HEAD object), so a bucket can take the place of the
 * disk without the rest of the service noticing. Keys are content addresses (`originals/<sha256>`,
 * `thumbnails/<sha256>.jpg`): writing the same key twice writes the same bytes, so no locking is needed.
 */
export abstract class PhotoStore {
  abstract put(key: string, bytes: Buffer): Promise<void>;
  /** The bytes under `key`, or null when there are none. */
  abstract get(key: string): Promise<Buffer | null>;
  abstract has(key: string): Promise<boolean>;
}

export const originalKey = (sha256: string) => `originals/${sha256}`;
export const thumbnailKey = (sha256: string) => `thumbnails/${sha256}.jpg`;

const KEY = /^(originals|thumbnails)\/[0-9a-f]{64}(\.jpg)?$/;

/**
 * The store as a directory on disk (`PHOTO_STORE_DIR`): `<root>/<kind>/<ab>/<cd>/<name>`, two levels
 * of fan-out so no directory holds millions of files. A write goes to a temporary file renamed into
 * place, so a reader never sees half a photo and a crash leaves no partial one under its key.
 */
export class DiskPhotoStore extends PhotoStore {
  readonly root: string;

  constructor(root: string) {
    super();
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a photo store key: ${key}`);
    const [kind, name] = key.split('/');
    return join(this.root, kind, name.slice(0, 2), name.slice(2, 4), name);
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.part`;
    try {
      await writeFile(temporary, bytes, { flag: 'wx' });
      await rename(temporary, path);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}
