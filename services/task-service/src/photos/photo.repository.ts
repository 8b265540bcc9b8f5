import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TxScope, managerOf } from '@roadloop/persistence';
import { PhotoRecord } from './photo.model';

/** Owns `task_photo`: which photo (by SHA-256) was uploaded for which task, with what it says of itself. */
@Injectable()
export class PhotoRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records an upload; false when this task already has this photo (an upload repeated is one upload). */
  async insert(p: PhotoRecord, scope?: TxScope): Promise<boolean> {
    const rows: unknown[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO task_photo (task_id, sha256, media_type, bytes, width, height, has_thumbnail, exif_location, exif_taken_at,
                               exif_time_zone, uploaded_by, crew_id, uploaded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7,
               CASE WHEN $8::float8 IS NULL OR $9::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($8, $9), 4326) END,
               $10, $11, $12, $13, $14)
       ON CONFLICT (task_id, sha256) DO NOTHING
       RETURNING sha256`,
      [p.taskId, p.sha256, p.mediaType, p.bytes, p.width, p.height, p.hasThumbnail, p.exifLon, p.exifLat, p.exifTakenAt, p.exifTimeZone, p.uploadedBy, p.crewId, p.uploadedAt],
    );
    return rows.length === 1;
  }

  async find(taskId: string, sha256: string, scope?: TxScope): Promise<PhotoRecord | null> {
    return (await this.select(`WHERE task_id = $1 AND sha256 = $2`, [taskId, sha256], scope))[0] ?? null;
  }

  /** The photos of a task, in upload order. */
  async ofTask(taskId: string, scope?: TxScope): Promise<PhotoRecord[]> {
    return this.select(`WHERE task_id = $1 ORDER BY uploaded_at, sha256`, [taskId], scope);
  }

  /** The photos of several tasks (a queue page), grouped by task. */
  async ofTasks(taskIds: string[]): Promise<Map<string, PhotoRecord[]>> {
    const found = taskIds.length ? await this.select(`WHERE task_id = ANY($1::uuid[]) ORDER BY uploaded_at, sha256`, [taskIds]) : [];
    const byTask = new Map<string, PhotoRecord[]>();
    for (const p of found) byTask.set(p.taskId, [...(byTask.get(p.taskId) ?? []), p]);
    return byTask;
  }

  async count(taskId: string, scope?: TxScope): Promise<number> {
    const rows: { n: number }[] = await managerOf(this.dataSource, scope).query(`SELECT count(*)::int AS n FROM task_photo WHERE task_id = $1`, [taskId]);
    return rows[0].n;
  }

  private async select(where: string, params: unknown[], scope?: TxScope): Promise<PhotoRecord[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT *, ST_X(exif_location) AS exif_lon, ST_Y(exif_location) AS exif_lat FROM task_photo ${where}`,
      params,
    );
    return rows.map((r) => ({
      taskId: String(r.task_id),
      sha256: String(r.sha256),
      mediaType: r.media_type as PhotoRecord['mediaType'],
      bytes: Number(r.bytes),
      width: r.width === null ? null : Number(r.width),
      height: r.height === null ? null : Number(r.height),
      hasThumbnail: Boolean(r.has_thumbnail),
      exifLon: r.exif_lon === null ? null : Number(r.exif_lon),
      exifLat: r.exif_lat === null ? null : Number(r.exif_lat),
      exifTakenAt: r.exif_taken_at === null ? null : new Date(r.exif_taken_at as string),
      exifTimeZone: (r.exif_time_zone as PhotoRecord['exifTimeZone']) ?? null,
      uploadedBy: String(r.uploaded_by),
      crewId: (r.crew_id as string | null) ?? null,
      uploadedAt: new Date(r.uploaded_at as string),
    }));
  }
}
