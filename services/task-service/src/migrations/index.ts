import { InitialSchema1732700000000 } from './1732700000000-initial-schema';
import { TaskLifecycle1732800000000 } from './1732800000000-task-lifecycle';
import { SegmentJurisdiction1732900000000 } from './1732900000000-segment-jurisdiction';
import { DailyIndex1733000000000 } from './1733000000000-daily-index';
import { TaskPhotos1733100000000 } from './1733100000000-task-photos';
import { CrewCapacity1733200000000 } from './1733200000000-crew-capacity';
import { RoadsideInventory1733300000000 } from './1733300000000-roadside-inventory';
import { Programme1733400000000 } from './1733400000000-programme';
import { SegmentsPlacedNowhere1733500000000 } from './1733500000000-segments-placed-nowhere';

/** Every migration of the task service, oldest first. */
export const TASK_MIGRATIONS = [InitialSchema1732700000000, TaskLifecycle1732800000000, SegmentJurisdiction1732900000000, DailyIndex1733000000000, TaskPhotos1733100000000, CrewCapacity1733200000000, RoadsideInventory1733300000000, Programme1733400000000, SegmentsPlacedNowhere1733500000000];
