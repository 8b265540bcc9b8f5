import { z } from 'zod';
import { ROLES } from '@roadloop/auth';
import { TASK_API } from '@roadloop/contracts';
import { describeRoutes, openApiDocument } from '@roadloop/http';
import { historyQueryObject, indexQueryObject } from './jurisdictions/daily-index.schema';
import { putCrewSchema, putJurisdictionSchema, refIdSchema } from './jurisdictions/jurisdiction.schema';
import { INSPECTION_ROLES, inspectionQuerySchema } from './inspections/inspections.controller';
import { REPORT_PHOTO_ROLES } from './photos/report-photos.controller';
import { PROGRAMME_ROLES } from './programmes/programmes.controller';
import { createProgrammeSchema, listProgrammesQuerySchema, programmeQuerySchema } from './programmes/programme.schema';
import { inventoryQuerySchema } from './roadside/roadside.controller';
import { inventoryFeatureCollectionSchema } from './roadside/inventory-geojson';
import { inventoryImportSchema, surveyFindingsSchema } from './roadside/roadside.schema';
import { COMMAND_ROLES } from './tasks/task-command.service';
import {
  assignSchema,
  duplicateSchema,
  listQueryObject,
  reasonSchema,
  reopenSchema,
  submitSchema,
  verifySchema,
  versionOnlySchema,
} from './tasks/task-http.schema';

const PUBLIC = { roles: [] };

/** The task service's routes (`TASK_API`) with the schemas that validate their requests and the roles allowed. */
export const TASK_ROUTES = describeRoutes(TASK_API, {
  listTasks: { roles: ROLES, query: listQueryObject },
  task: { roles: ROLES },
  assign: { roles: COMMAND_ROLES.assign, body: assignSchema },
  accept: { roles: COMMAND_ROLES.accept, body: versionOnlySchema },
  start: { roles: COMMAND_ROLES.start, body: versionOnlySchema },
  submit: { roles: COMMAND_ROLES.submit, body: submitSchema },
  verify: { roles: COMMAND_ROLES.verify, body: verifySchema },
  reject: { roles: COMMAND_ROLES.reject, body: reasonSchema },
  cancel: { roles: COMMAND_ROLES.cancel, body: reasonSchema },
  duplicate: { roles: COMMAND_ROLES.mark_duplicate, body: duplicateSchema },
  unableToFix: { roles: COMMAND_ROLES.unable_to_fix, body: reasonSchema },
  reopen: { roles: COMMAND_ROLES.reopen, body: reopenSchema },
  survey: { roles: ['crew'], body: surveyFindingsSchema },
  stretch: { roles: ROLES },
  importInventory: { roles: ['admin'], body: z.union([inventoryImportSchema, inventoryFeatureCollectionSchema]) },
  inventory: { roles: ROLES, query: inventoryQuerySchema },
  uploadPhoto: { roles: ['crew'] },
  photos: { roles: ROLES },
  photo: { roles: ROLES },
  photoThumbnail: { roles: ROLES },
  // Reachable only through the gateway's upload, which limits it per client address.
  storeReportPhoto: PUBLIC,
  reportPhoto: { roles: REPORT_PHOTO_ROLES },
  reportPhotoThumbnail: { roles: REPORT_PHOTO_ROLES },
  inspections: { roles: INSPECTION_ROLES, query: inspectionQuerySchema },
  putJurisdiction: { roles: ['admin'], body: putJurisdictionSchema },
  jurisdictions: { roles: ROLES },
  jurisdiction: { roles: ROLES },
  dailyIndex: { roles: ROLES, query: indexQueryObject },
  indexHistory: { roles: ROLES, query: historyQueryObject },
  jurisdictionStatus: { roles: ROLES },
  createProgramme: { roles: PROGRAMME_ROLES, body: createProgrammeSchema },
  programmes: { roles: ROLES, query: listProgrammesQuerySchema },
  programme: { roles: ROLES, query: programmeQuerySchema },
  approveProgramme: { roles: PROGRAMME_ROLES },
  putCrew: { roles: ['admin'], body: putCrewSchema },
  crews: { roles: ROLES, query: z.object({ jurisdictionId: refIdSchema.optional() }) },
  health: PUBLIC,
  healthReady: PUBLIC,
  healthLive: PUBLIC,
  metrics: PUBLIC,
  openapi: PUBLIC,
});

export const taskOpenApi = () => openApiDocument('Roadloop task service', '1', TASK_ROUTES);
