import { Controller, Get, Headers, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '@roadloop/core';
import { correlationIdFrom } from '@roadloop/http';
import { ClientAddressRateLimitGuard } from '@roadloop/persistence';
import { Open311CallerGuard, Open311Request } from './open311-caller.guard';
import { Open311ErrorFilter } from './open311-error.filter';
import { Open311Format, formatOfPath, sendOpen311 } from './open311.format';
import { Open311Service } from './open311.service';

/** `{id}.json` / `{id}.xml` → the id and the format; anything else is no resource here. */
function splitFile(file: string, what: string): { id: string; format: Open311Format } {
  const match = /^(.+)\.(json|xml)$/i.exec(file);
  if (!match) throw new AppError('not_found', 'ROUTE_NOT_FOUND', `no ${what} ${file}: ask for ${what}/{id}.json or .xml`);
  return { id: match[1]!, format: formatOfPath(file)! };
}

/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), the civic-issue API that
 * FixMyStreet and city 311 systems speak: the hazard categories are its services, a hazard a
 * service request. JSON or XML by the path's extension; errors in the spec's format.
 */
@Controller('open311/v2')
@UseFilters(Open311ErrorFilter)
@UseGuards(Open311CallerGuard)
export class Open311Controller {
  constructor(private readonly open311: Open311Service) {}

  @Get(['services.json', 'services.xml'])
  services(@Req() req: Open311Request, @Res() res: Response): void {
    sendOpen311(res, formatOfPath(req.path)!, 200, 'services', this.open311.services());
  }

  @Get('services/:file')
  definition(@Param('file') file: string, @Res() res: Response): void {
    const { id, format } = splitFile(file, 'services');
    sendOpen311(res, format, 200, 'service_definition', this.open311.definition(id));
  }

  /** Form-encoded, as the spec says; anonymous posts are limited per client address like POST /v1/hazards (one budget). */
  @Post(['requests.json', 'requests.xml'])
  @UseGuards(ClientAddressRateLimitGuard)
  async create(@Req() req: Open311Request, @Res() res: Response, @Headers('x-correlation-id') correlation?: string): Promise<void> {
    const created = await this.open311.create(req.open311Form ?? new URLSearchParams(), correlationIdFrom(correlation), req.principal);
    sendOpen311(res, formatOfPath(req.path)!, 201, 'service_requests', created);
  }

  @Get(['requests.json', 'requests.xml'])
  async list(@Req() req: Open311Request, @Query() query: unknown, @Res() res: Response): Promise<void> {
    const requests = await this.open311.list(query, req.principal ? req.headers.authorization : undefined);
    sendOpen311(res, formatOfPath(req.path)!, 200, 'service_requests', requests);
  }

  @Get('requests/:file')
  async one(@Param('file') file: string, @Res() res: Response): Promise<void> {
    const { id, format } = splitFile(file, 'requests');
    sendOpen311(res, format, 200, 'service_requests', await this.open311.request(id));
  }
}
