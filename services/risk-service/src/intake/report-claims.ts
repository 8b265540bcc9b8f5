import { DeadLetterCode } from '@roadloop/contracts';
import type { ReportClaim } from '../hazards/hazard.repository';
import { IntakeException } from './intake.exception';

export interface IncomingReport {
  kind: 'hazard' | 'accident';
  id: string;
  eventId: string;
  externalId?: string;
}

/**
 * What a report is, given the rows that already hold its id, its event id or its external id:
 * `null` when it is new; the row when it is a redelivery (the same report, under the same or a new
 * event id); an IntakeException when a producer reused an id for something else — an event id is
 * one event's, a report id one report's, an external id one crash's.
 */
export function judgeClaims(report: IncomingReport, claims: readonly ReportClaim[]): ReportClaim | null {
  const byEvent = claims.find((c) => c.eventId === report.eventId);
  if (byEvent) {
    if (byEvent.id === report.id && byEvent.sameContent) return byEvent;
    throw new IntakeException(
      DeadLetterCode.DuplicateEventId,
      byEvent.id === report.id
        ? `event ${report.eventId} was recorded before for ${report.kind} ${report.id} with other content`
        : `event ${report.eventId} was recorded before for ${report.kind} ${byEvent.id}, not ${report.id}: every event needs an id of its own`,
    );
  }
  const byId = claims.find((c) => c.id === report.id);
  if (byId) {
    if (byId.sameContent) return byId;
    throw new IntakeException(
      DeadLetterCode.DuplicateReportId,
      `${report.kind} ${report.id} was recorded before (event ${byId.eventId}) with other content`,
    );
  }
  const byExternalId = report.externalId ? claims.find((c) => c.externalId === report.externalId) : undefined;
  if (byExternalId) {
    throw new IntakeException(
      DeadLetterCode.DuplicateExternalId,
      `external id ${report.externalId} was recorded before for ${report.kind} ${byExternalId.id}; ${report.id} is not recorded`,
    );
  }
  return null;
}
