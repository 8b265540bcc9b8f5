import { InitialSchema1732700000000 } from './1732700000000-initial-schema';
import { ClosedLoop1732800000000 } from './1732800000000-closed-loop';
import { SegmentJurisdiction1732900000000 } from './1732900000000-segment-jurisdiction';
import { RiskModelVersion1733000000000 } from './1733000000000-risk-model-version';
import { RoadsideInventory1733100000000 } from './1733100000000-roadside-inventory';
import { NetworkRevision1733200000000 } from './1733200000000-network-revision';
import { HazardFillfactor1733300000000 } from './1733300000000-hazard-fillfactor';
import { SegmentReferencesUnlocked1733600000000 } from './1733600000000-segment-references-unlocked';

/** Every migration of the risk service, oldest first. */
export const RISK_MIGRATIONS = [InitialSchema1732700000000, ClosedLoop1732800000000, SegmentJurisdiction1732900000000, RiskModelVersion1733000000000, RoadsideInventory1733100000000, NetworkRevision1733200000000, HazardFillfactor1733300000000, SegmentReferencesUnlocked1733600000000];
