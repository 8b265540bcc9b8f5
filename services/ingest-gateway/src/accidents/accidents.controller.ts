import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Roles, RolesGuard } from '@roadloop/auth';
import { correlationIdFrom } from '@roadloop/http';
import { AccidentsService } from './accidents.service';

@Controller('v1/accidents')
export class AccidentsController {
  constructor(private readonly accidents: AccidentsService) {}

  /** Crashes come from the police: the police system's service account or a dispatcher. */
  @Post()
  @HttpCode(202)
  @UseGuards(RolesGuard)
  @Roles('dispatcher', 'admin')
  report(@Body() body: unknown, @Headers('x-correlation-id') correlation?: string) {
    return this.accidents.report(body, correlationIdFrom(correlation));
  }
}
