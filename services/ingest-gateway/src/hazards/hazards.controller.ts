import { Body, Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ClientAddressRateLimitGuard } from '@roadloop/persistence';
import { correlationFrom } from '../correlation';
import { Accepted, HazardsService } from './hazards.service';
import { MaybeSignedInRequest, OptionalPrincipalGuard } from './optional-principal.guard';

@Controller('v1/hazards')
export class HazardsController {
  constructor(private readonly hazards: HazardsService) {}

  /** Anyone reports; anonymous reports are limited per client address, signed-in ones are not. */
  @Post()
  @HttpCode(202)
  @UseGuards(OptionalPrincipalGuard, ClientAddressRateLimitGuard)
  report(@Body() body: unknown, @Req() req: MaybeSignedInRequest, @Headers('x-correlation-id') correlation?: string): Promise<Accepted> {
    return this.hazards.report(body, correlationFrom(correlation), req.principal);
  }
}
