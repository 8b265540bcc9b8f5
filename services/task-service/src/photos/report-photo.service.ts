import { Injectable } from '@nestjs/common';
import { KeptPhoto, PhotoBody, PhotoChecks } from './photo-checks.service';
import { sniffPhotoType } from './photo-type';
import { PhotoException } from './photo.exception';
import { PhotoBytes } from './photo.service';

export const reportPhotoPath = (sha256: string) => `/v1/report-photos/${sha256}`;

/** The JSON answer to a report photo's upload: what it is and where staff fetch it. */
export function reportPhotoView(p: KeptPhoto) {
  const href = reportPhotoPath(p.sha256);
  return {
    sha256: p.sha256,
    mediaType: p.mediaType,
    bytes: p.bytes,
    width: p.width,
    height: p.height,
    href,
    thumbnailHref: p.hasThumbnail ? `${href}/thumbnail` : null,
  };
}
export type ReportPhotoView = ReturnType<typeof reportPhotoView>;

/**
 * Photos sent with villagers' hazard reports: no account and no task, so nothing is recorded
 * about them but the bytes, kept by digest in the same photo store through the same checks as a
 * crew's. A report refers to its photo by the URL the upload answers with.
 */
@Injectable()
export class ReportPhotoService {
  constructor(private readonly checks: PhotoChecks) {}

  /** Checks and keeps a photo; `created` false when the store held it already (an upload repeated). */
  async upload(body: PhotoBody): Promise<{ photo: ReportPhotoView; created: boolean }> {
    const digest = this.checks.verifyDigest(body);
    const known = await this.checks.isKept(digest);
    // A known photo is checked again all the same: the answer describes it, and the checks are cheap beside the upload.
    const kept = await this.checks.checkAndKeep(body, digest);
    return { photo: reportPhotoView(kept), created: !known };
  }

  /** A photo's bytes (its format read from them again) or its JPEG thumbnail. */
  async read(sha256: string, variant: 'original' | 'thumbnail'): Promise<PhotoBytes> {
    const bytes = await this.checks.bytesOf(sha256, variant);
    if (bytes) return { mediaType: variant === 'original' ? (sniffPhotoType(bytes) ?? 'application/octet-stream') : 'image/jpeg', bytes };
    if (variant === 'thumbnail' && (await this.checks.isKept(sha256))) {
      throw new PhotoException('THUMBNAIL_UNAVAILABLE', `photo ${sha256} is a HEIC image, which this server cannot draw a thumbnail of; fetch the photo itself`);
    }
    throw new PhotoException('PHOTO_NOT_FOUND', `no photo ${sha256}`);
  }
}
