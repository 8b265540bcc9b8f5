import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { HazardTracking } from '@roadloop/contracts';
import { correlationIdFrom } from '@roadloop/http';
import { ClientAddressRateLimitGuard } from '@roadloop/persistence';
import { HazardTrackingService } from './hazard-tracking.service';
import { Accepted, HazardsService } from './hazards.service';
import { MaybeSignedInRequest, OptionalPrincipalGuard } from './optional-principal.guard';

@Controller('v1/hazards')
export class HazardsController {
  constructor(
    private readonly hazards: HazardsService,
    private readonly tracking: HazardTrackingService,
  ) {}

  /** Anyone reports; anonymous reports are limited per client address, signed-in ones are not. */
  @Post()
  @HttpCode(202)
  @UseGuards(OptionalPrincipalGuard, ClientAddressRateLimitGuard)
  report(@Body() body: unknown, @Req() req: MaybeSignedInRequest, @Headers('x-correlation-id') correlation?: string): Promise<Accepted> {
    return this.hazards.report(body, correlationIdFrom(correlation), req.principal);
  }

  /**
   * A report's progress for whoever holds its id, the tracking code its reporter was given: no
   * token needed (the other reads of hazards, forwarded, need one).
   */
  @Get(':id/status')
  status(@Param('id') id: string): Promise<HazardTracking> {
    return this.tracking.status(id);
  }
}
