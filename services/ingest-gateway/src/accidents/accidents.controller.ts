import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { correlationFrom } from '../correlation';
import { AccidentsService } from './accidents.service';

@Controller('v1/accidents')
export class AccidentsController {
  constructor(private readonly accidents: AccidentsService) {}

  @Post()
  @HttpCode(202)
  report(@Body() body: unknown, @Headers('x-correlation-id') correlation?: string) {
    return this.accidents.report(body, correlationFrom(correlation));
  }
}
