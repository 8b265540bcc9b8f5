import { Feature, featureCollection, toCsv } from '@roadloop/http';
import { ListedTask, TaskPage } from './task-query.service';

export const TASK_CSV_COLUMNS = [
  'id', 'status', 'countermeasure', 'priority', 'segmentId', 'crewId', 'jurisdictionId', 'dueAt', 'overdue',
  'version', 'escalated', 'lon', 'lat', 'createdAt', 'updatedAt', 'reason',
] as const;

export function tasksCsv(page: TaskPage): string {
  return toCsv(
    TASK_CSV_COLUMNS,
    page.items.map((t) => [
      t.id, t.status, t.countermeasure, t.priority, t.segmentId, t.crewId, t.jurisdictionId, t.dueAt, t.overdue,
      t.version, t.escalated, t.location?.lon, t.location?.lat, t.createdAt, t.updatedAt, t.reason,
    ]),
  );
}

/** What the map needs of a task: enough to colour it and to assign it with `expectedVersion`. */
export function taskFeature(t: ListedTask): Feature<{ type: 'Point'; coordinates: [number, number] } | null> {
  return {
    type: 'Feature',
    id: t.id,
    geometry: t.location ? { type: 'Point', coordinates: [t.location.lon, t.location.lat] } : null,
    properties: {
      id: t.id,
      status: t.status,
      countermeasure: t.countermeasure,
      priority: t.priority,
      segmentId: t.segmentId,
      crewId: t.crewId,
      jurisdictionId: t.jurisdictionId,
      dueAt: t.dueAt,
      overdue: t.overdue,
      version: t.version,
    },
  };
}

/** Points at the midpoints of the tasks' segments (null geometry while a segment is unknown); `nextCursor` pages on. */
export function tasksGeoJson(page: TaskPage) {
  return featureCollection(page.items.map(taskFeature), { nextCursor: page.nextCursor });
}
