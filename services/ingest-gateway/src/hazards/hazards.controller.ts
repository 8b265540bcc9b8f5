import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { correlationFrom } from '../correlation';
import { Accepted, HazardsService } from './hazards.service';

@Controller('v1/hazards')
export class HazardsController {
  constructor(private readonly hazards: HazardsService) {}

  @Post()
  @HttpCode(202)
  report(@Body() body: unknown, @Headers('x-correlation-id') correlation?: string): Promise<Accepted> {
    return this.hazards.report(body, correlationFrom(correlation));
  }
}
