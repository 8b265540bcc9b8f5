import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { Principal } from '@roadloop/auth';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig } from '../config';
import { TaskException } from '../tasks/task.exception';
import { assertCrewOwns } from '../tasks/task-command.service';
import { isOpen } from '../tasks/task-lifecycle';
import { TaskRecord } from '../tasks/task.model';
import { TaskRepository } from '../tasks/task.repository';
import { readPhotoExif } from './photo-exif';
import { PhotoStore, originalKey, thumbnailKey } from './photo-store';
import { PhotoMediaType, declaredPhotoType, describeMediaType, sniffPhotoType, truncationOf } from './photo-type';
import { PhotoException } from './photo.exception';
import { PhotoRecord, PhotoView, photoView } from './photo.model';
import { PhotoRepository } from './photo.repository';

/** The longer side of a thumbnail, pixels: a list row on a phone at 2× density. */
const THUMBNAIL_PX = 320;

export interface PhotoUpload {
  taskId: string;
  /** The digest the client named (the path's), lower-case hex. */
  sha256: string;
  /** The client's `Content-Type`. */
  contentType: string | undefined;
  bytes: Buffer;
}

export interface PhotoBytes {
  mediaType: string;
  bytes: Buffer;
}

/**
 * The evidence store: a crew uploads the photos of a fix to its task; the service checks that the
 * bytes are what the client says (SHA-256), a photo format it takes, and whole; keeps them by
 * their digest with a thumbnail; and serves them to whoever may see the task.
 */
@Injectable()
export class PhotoService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly photos: PhotoRepository,
    private readonly store: PhotoStore,
    private readonly clock: Clock,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  /** Stores a photo for a task (the task's own crew only). The same photo again is the same upload: `created` false. */
  async upload(input: PhotoUpload, principal: Principal): Promise<{ photo: PhotoView; created: boolean }> {
    const task = await this.taskFor(input.taskId, principal);
    if (principal.role !== 'crew') throw new TaskException('ROLE_NOT_ALLOWED', `role ${principal.role} may not upload a photo; the task's crew does`);
    if (!isOpen(task.status)) throw new PhotoException('PHOTO_TASK_CLOSED', `task ${task.id} is ${task.status}: it takes no more photos`);
    const digest = this.verifyDigest(input);
    const known = await this.photos.find(task.id, digest);
    if (known) return { photo: photoView(known), created: false };
    if ((await this.photos.count(task.id)) >= this.config.PHOTO_MAX_PER_TASK) {
      throw new PhotoException('PHOTO_LIMIT_REACHED', `task ${task.id} already holds ${this.config.PHOTO_MAX_PER_TASK} photos, the most a task may hold`);
    }
    const mediaType = this.verifyType(input);
    const truncated = truncationOf(input.bytes, mediaType);
    if (truncated) throw new PhotoException('PHOTO_TRUNCATED', `the photo is incomplete: ${truncated}; send the whole file`, [{ field: 'body', message: truncated }]);
    const image = await this.decode(input.bytes, mediaType);
    const exif = await readPhotoExif(input.bytes);
    await this.store.put(originalKey(digest), input.bytes);
    if (image.thumbnail) await this.store.put(thumbnailKey(digest), image.thumbnail);
    const record: PhotoRecord = {
      taskId: task.id,
      sha256: digest,
      mediaType,
      bytes: input.bytes.length,
      width: image.width,
      height: image.height,
      hasThumbnail: image.thumbnail !== null,
      exifLon: exif.lon,
      exifLat: exif.lat,
      exifTakenAt: exif.takenAt,
      exifTimeZone: exif.timeZone,
      uploadedBy: principal.id,
      crewId: task.crewId,
      uploadedAt: this.clock.now(),
    };
    const created = await this.photos.insert(record);
    // A concurrent upload of the same photo won the insert: the row it wrote is the photo.
    return { photo: photoView(created ? record : ((await this.photos.find(task.id, digest)) ?? record)), created };
  }

  /** A task's photos (whoever may see the task). */
  async list(taskId: string, principal: Principal): Promise<PhotoView[]> {
    const task = await this.taskFor(taskId, principal);
    return (await this.photos.ofTask(task.id)).map(photoView);
  }

  /** A photo's bytes, or its thumbnail's (whoever may see the task). */
  async read(taskId: string, sha256: string, variant: 'original' | 'thumbnail', principal: Principal): Promise<PhotoBytes> {
    const task = await this.taskFor(taskId, principal);
    const photo = await this.photos.find(task.id, sha256);
    if (!photo) throw new PhotoException('PHOTO_NOT_FOUND', `task ${task.id} has no photo ${sha256}`);
    if (variant === 'thumbnail' && !photo.hasThumbnail) {
      throw new PhotoException('THUMBNAIL_UNAVAILABLE', `photo ${sha256} is ${describeMediaType(photo.mediaType)}, which this server cannot draw a thumbnail of; fetch the photo itself`);
    }
    const bytes = await this.store.get(variant === 'original' ? originalKey(sha256) : thumbnailKey(sha256));
    if (!bytes) throw new PhotoException('PHOTO_NOT_FOUND', `the bytes of photo ${sha256} are missing from the photo store`);
    return { mediaType: variant === 'original' ? photo.mediaType : 'image/jpeg', bytes };
  }

  private async taskFor(taskId: string, principal: Principal): Promise<TaskRecord> {
    const task = await this.tasks.find(taskId);
    if (!task) throw new TaskException('TASK_NOT_FOUND', `no task with id ${taskId}`);
    assertCrewOwns(principal, task);
    return task;
  }

  /** The server's own SHA-256 of the bytes, which must be the one the client named. */
  private verifyDigest({ sha256, bytes }: PhotoUpload): string {
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

  /** The format sniffed from the bytes, which must agree with the one the client declared (if it declared one). */
  private verifyType({ bytes, contentType }: PhotoUpload): PhotoMediaType {
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
