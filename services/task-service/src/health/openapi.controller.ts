import { Controller, Get } from '@nestjs/common';
import { taskOpenApi } from '../openapi';

/** This service's part of the public API description (the gateway merges the parts). */
@Controller('openapi.json')
export class OpenApiController {
  private readonly document = taskOpenApi();

  @Get()
  get() {
    return this.document;
  }
}
