import { describe, expect, it } from '@jest/globals';
import { AppError } from '@roadloop/core';
import type { ReportClaim } from '../hazards/hazard.repository';
import { judgeClaims } from './report-claims';

const claim = (c: Partial<ReportClaim>): ReportClaim => ({
  id: 'h-1', eventId: 'e-1', externalId: null, sameContent: true, segmentId: 'w1-0', matchDistanceM: 3, offsetM: 10, ...c,
});
const refusal = (fn: () => unknown): { code: string; message: string } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('not refused');
};

describe(judgeClaims.name, () => {
  const hazard = { kind: 'hazard' as const, id: 'h-1', eventId: 'e-1' };

  it('calls a report nobody holds new', () => {
    expect(judgeClaims(hazard, [])).toBeNull();
  });

  it('calls the same report under the same event id, or a new one, a redelivery of the recorded row', () => {
    expect(judgeClaims(hazard, [claim({})])).toEqual(claim({}));
    expect(judgeClaims({ ...hazard, eventId: 'e-2' }, [claim({})])).toEqual(claim({}));
  });

  it('refuses an event id recorded for another report, or for this one with other content', () => {
    expect(refusal(() => judgeClaims({ ...hazard, id: 'h-2' }, [claim({})]))).toEqual({
      code: 'DUPLICATE_EVENT_ID',
      message: 'event e-1 was recorded before for hazard h-1, not h-2: every event needs an id of its own',
    });
    expect(refusal(() => judgeClaims(hazard, [claim({ sameContent: false })]))).toMatchObject({ code: 'DUPLICATE_EVENT_ID' });
    // The event id decides first, even when the report id is free too.
    expect(refusal(() => judgeClaims({ ...hazard, id: 'h-2' }, [claim({ sameContent: false })]))).toMatchObject({ code: 'DUPLICATE_EVENT_ID' });
  });

  it('refuses a report id recorded with other content under another event', () => {
    expect(refusal(() => judgeClaims({ ...hazard, eventId: 'e-2' }, [claim({ sameContent: false })]))).toEqual({
      code: 'DUPLICATE_REPORT_ID',
      message: 'hazard h-1 was recorded before (event e-1) with other content',
    });
  });

  it('refuses an external id recorded for another crash, and keeps a redelivery of the crash that holds it', () => {
    const crash = { kind: 'accident' as const, id: 'a-2', eventId: 'e-2', externalId: 'AD-1' };
    expect(refusal(() => judgeClaims(crash, [claim({ id: 'a-1', eventId: 'e-1', externalId: 'AD-1', sameContent: false })]))).toEqual({
      code: 'DUPLICATE_EXTERNAL_ID',
      message: 'external id AD-1 was recorded before for accident a-1; a-2 is not recorded',
    });
    const held = claim({ id: 'a-2', eventId: 'e-2', externalId: 'AD-1' });
    expect(judgeClaims(crash, [held])).toEqual(held);
  });
});
