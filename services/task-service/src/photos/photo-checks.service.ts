import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { PhotoStore, originalKey, thumbnailKey } from './photo-store';
import { PhotoMediaType, declaredPhotoType, describeMediaType, sniffPhotoType, truncationOf } from './photo-type';
import { PhotoException } from './photo.exception';

/** The longer side of a thumbnail, pixels: a list row on a phone at 2× density. */
const THUMBNAIL_PX = 320;

/** An upload as it arrives: the digest the client named and the bytes it sent. */
export interface PhotoBody {
  /** The digest the client named (the path's), lower-case hex. */
  sha256: string;
  /** The client's `Content-Type`. */
  contentType: string | undefined;
  bytes: Buffer;
}

/** A photo that passed every check and is in the store under its digest. */
export interface KeptPhoto {
  sha256: string;
  mediaType: PhotoMediaType;
  bytes: number;
  width: number | null;
  height: number | null;
  /** HEIC cannot be decoded here (no HEVC decoder), so it has no thumbnail. */
  hasThumbnail: boolean;
}

/**
 * What every photo upload goes through, whoever sends it (a crew's evidence, a villager's report):
 * the server's own SHA-256 must be the one the client named, the format is sniffed from the bytes
 * (and must agree with a declared one), the file must be whole and decode; the original and its
 * thumbnail are then kept by digest in the photo store, from which `bytesOf` reads them back.
 */
@Injectable()
export class PhotoChecks {
  constructor(private readonly store: PhotoStore) {}

  /** The server's own SHA-256 of the bytes, which must be the one the client named. */
  verifyDigest({ sha256, bytes }: PhotoBody): string {
    if (bytes.length === 0) throw new PhotoException('PHOTO_EMPTY', 'the request has no photo in its body', [{ field: 'body', message: 'empty' }]);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) {
      throw new PhotoException(
        'PHOTO_HASH_MISMATCH',
        `the photo's SHA-256 is ${actual}, not ${sha256} as the path says: the file changed or did not arrive whole`,
        [{ field: 'sha256', message: `the body's digest is ${actual}` }],
      );
    }
    return actual;
  }

  /** Checks format, completeness and decoding of a photo whose digest was verified, and keeps it with its thumbnail. */
  async checkAndKeep(body: PhotoBody, digest: string): Promise<KeptPhoto> {
    const mediaType = this.verifyType(body);
    const truncated = truncationOf(body.bytes, mediaType);
    if (truncated) throw new PhotoException('PHOTO_TRUNCATED', `the photo is incomplete: ${truncated}; send the whole file`, [{ field: 'body', message: truncated }]);
    const image = await this.decode(body.bytes, mediaType);
    await this.store.put(originalKey(digest), body.bytes);
    if (image.thumbnail) await this.store.put(thumbnailKey(digest), image.thumbnail);
    return { sha256: digest, mediaType, bytes: body.bytes.length, width: image.width, height: image.height, hasThumbnail: image.thumbnail !== null };
  }

  /** Whether a photo with this digest is in the store already. */
  isKept(sha256: string): Promise<boolean> {
    return this.store.has(originalKey(sha256));
  }

  /** The kept bytes of a photo or of its thumbnail (a JPEG); null when the store has none. */
  bytesOf(sha256: string, variant: 'original' | 'thumbnail'): Promise<Buffer | null> {
    return this.store.get(variant === 'original' ? originalKey(sha256) : thumbnailKey(sha256));
  }

  /** The format sniffed from the bytes, which must agree with the one the client declared (if it declared one). */
  private verifyType({ bytes, contentType }: PhotoBody): PhotoMediaType {
    const sniffed = sniffPhotoType(bytes);
    if (!sniffed) {
      throw new PhotoException('PHOTO_TYPE_UNSUPPORTED', 'the file is not a JPEG, PNG, HEIC or WebP image', [{ field: 'body', message: 'not a photo format the store takes' }]);
    }
    const declared = declaredPhotoType(contentType);
    if (declared !== null && declared !== sniffed) {
      throw new PhotoException(
        'PHOTO_TYPE_MISMATCH',
        `the file is ${describeMediaType(sniffed)} but was sent as ${declared} (a file renamed to another format?)`,
        [{ field: 'content-type', message: `the bytes are ${sniffed}` }],
      );
    }
    return sniffed;
  }

  /** Decodes the whole image (a damaged one is refused) and draws its thumbnail; HEIC is kept without one. */
  private async decode(bytes: Buffer, mediaType: PhotoMediaType): Promise<{ width: number | null; height: number | null; thumbnail: Buffer | null }> {
    if (mediaType === 'image/heic') return { width: null, height: null, thumbnail: null };
    try {
      const image = sharp(bytes, { failOn: 'truncated', limitInputPixels: 120_000_000 });
      const { width, height } = await image.metadata();
      // rotate() applies the EXIF orientation, so a portrait photo's thumbnail stands upright.
      const thumbnail = await image.rotate().resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 75 }).toBuffer();
      return { width: width ?? null, height: height ?? null, thumbnail };
    } catch (err) {
      const reason = (err as Error).message.split('\n')[0];
      throw new PhotoException('PHOTO_UNREADABLE', `the ${describeMediaType(mediaType).replace(/^an? /, '')} cannot be decoded: ${reason}`, [{ field: 'body', message: reason }]);
    }
  }
}
