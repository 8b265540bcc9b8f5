import { UseGuards, applyDecorators } from '@nestjs/common';
import { ReadQueryClass, SubjectRateLimitGuard } from '@roadloop/persistence';

/**
 * An analysis read (hotspots, effectiveness, polygons): the longer statement timeout of its class
 * (`DB_ANALYSIS_TIMEOUT_MS`), and counted against the caller's budget of such requests
 * (`ANALYSIS_RATE_LIMIT` per `ANALYSIS_RATE_WINDOW_S`, by token subject; 429 beyond).
 */
export const AnalysisRead = () => applyDecorators(ReadQueryClass('analysis'), UseGuards(SubjectRateLimitGuard));
