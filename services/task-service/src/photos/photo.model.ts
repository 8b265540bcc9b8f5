import type { PhotoView } from '@roadloop/contracts';
import { PhotoTimeZone } from './photo-exif';
import { PhotoMediaType } from './photo-type';

/** A photo uploaded as evidence for a task, stored once by its SHA-256. */
export interface PhotoRecord {
  taskId: string;
  sha256: string;
  mediaType: PhotoMediaType;
  bytes: number;
  width: number | null;
  height: number | null;
  /** HEIC cannot be decoded here (no HEVC decoder), so it has no thumbnail. */
  hasThumbnail: boolean;
  exifLon: number | null;
  exifLat: number | null;
  exifTakenAt: Date | null;
  exifTimeZone: PhotoTimeZone | null;
  uploadedBy: string;
  crewId: string | null;
  uploadedAt: Date;
}

export const photoPath = (taskId: string, sha256: string) => `/v1/tasks/${taskId}/photos/${sha256}`;

/** The JSON shape of an uploaded photo: its metadata and where to fetch it and its thumbnail. */
export function photoView(p: PhotoRecord): PhotoView {
  const href = photoPath(p.taskId, p.sha256);
  return {
    sha256: p.sha256,
    mediaType: p.mediaType,
    bytes: p.bytes,
    width: p.width,
    height: p.height,
    href,
    thumbnailHref: p.hasThumbnail ? `${href}/thumbnail` : null,
    exif: {
      position: p.exifLon === null || p.exifLat === null ? null : { lon: p.exifLon, lat: p.exifLat },
      takenAt: p.exifTakenAt?.toISOString() ?? null,
      timeZone: p.exifTimeZone,
    },
    uploadedBy: p.uploadedBy,
    uploadedAt: p.uploadedAt.toISOString(),
  };
}
export type { PhotoView } from '@roadloop/contracts';
