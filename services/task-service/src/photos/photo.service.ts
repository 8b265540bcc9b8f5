import { Inject, Injectable } from '@nestjs/common';
import { Principal } from '@roadloop/auth';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig } from '../config';
import { TaskException } from '../tasks/task.exception';
import { assertCrewOwns } from '../tasks/task-command.service';
import { isOpen } from '../tasks/task-lifecycle';
import { TaskRecord } from '../tasks/task.model';
import { TaskRepository } from '../tasks/task.repository';
import { PhotoBody, PhotoChecks } from './photo-checks.service';
import { readPhotoExif } from './photo-exif';
import { describeMediaType } from './photo-type';
import { PhotoException } from './photo.exception';
import { PhotoRecord, PhotoView, photoView } from './photo.model';
import { PhotoRepository } from './photo.repository';

export interface PhotoUpload extends PhotoBody {
  taskId: string;
}

export interface PhotoBytes {
  mediaType: string;
  bytes: Buffer;
}

/**
 * The evidence store: a crew uploads the photos of a fix to its task; the checks (`PhotoChecks`)
 * make sure the bytes are what the client says (SHA-256), a photo format the store takes, and
 * whole, and keep them by their digest with a thumbnail; the service serves them to whoever may
 * see the task.
 */
@Injectable()
export class PhotoService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly photos: PhotoRepository,
    private readonly checks: PhotoChecks,
    private readonly clock: Clock,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  /** Stores a photo for a task (the task's own crew only). The same photo again is the same upload: `created` false. */
  async upload(input: PhotoUpload, principal: Principal): Promise<{ photo: PhotoView; created: boolean }> {
    const task = await this.taskFor(input.taskId, principal);
    if (principal.role !== 'crew') throw new TaskException('ROLE_NOT_ALLOWED', `role ${principal.role} may not upload a photo; the task's crew does`);
    if (!isOpen(task.status)) throw new PhotoException('PHOTO_TASK_CLOSED', `task ${task.id} is ${task.status}: it takes no more photos`);
    const digest = this.checks.verifyDigest(input);
    const known = await this.photos.find(task.id, digest);
    if (known) return { photo: photoView(known), created: false };
    if ((await this.photos.count(task.id)) >= this.config.PHOTO_MAX_PER_TASK) {
      throw new PhotoException('PHOTO_LIMIT_REACHED', `task ${task.id} already holds ${this.config.PHOTO_MAX_PER_TASK} photos, the most a task may hold`);
    }
    const kept = await this.checks.checkAndKeep(input, digest);
    const exif = await readPhotoExif(input.bytes);
    const record: PhotoRecord = {
      taskId: task.id,
      ...kept,
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
    const bytes = await this.checks.bytesOf(sha256, variant);
    if (!bytes) throw new PhotoException('PHOTO_NOT_FOUND', `the bytes of photo ${sha256} are missing from the photo store`);
    return { mediaType: variant === 'original' ? photo.mediaType : 'image/jpeg', bytes };
  }

  private async taskFor(taskId: string, principal: Principal): Promise<TaskRecord> {
    const task = await this.tasks.find(taskId);
    if (!task) throw new TaskException('TASK_NOT_FOUND', `no task with id ${taskId}`);
    assertCrewOwns(principal, task);
    return task;
  }
}
