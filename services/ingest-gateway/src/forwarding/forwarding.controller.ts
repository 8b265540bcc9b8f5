import { All, Body, Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { RolesGuard } from '@roadloop/auth';
import { UpstreamClient, UpstreamService } from '../upstream.client';
import { forwardedTarget } from './forwarded-routes';

/**
 * The gateway is the public door of the task and risk services: a request is passed on with the
 * caller's token, and the answer (status, content type, bytes) comes back unchanged. Reports
 * (POST /v1/hazards, POST /v1/accidents) are not forwarded: the gateway publishes them itself.
 * Only a published route's own path reaches a service (see `forwardedTarget`), and only with a
 * valid token: every forwarded route needs one, and the owning service checks the role.
 */
@Controller('v1')
@UseGuards(RolesGuard)
export class ForwardingController {
  constructor(private readonly upstream: UpstreamClient) {}

  @All(['tasks', 'tasks/*path', 'jurisdictions', 'jurisdictions/*path', 'crews', 'crews/*path', 'inspections', 'inspections/*path', 'roadside/*path', 'programmes', 'programmes/*path'])
  toTasks(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.relay('task', req, res, body);
  }

  @All(['segments', 'segments/*path', 'reports/*path', 'hotspots', 'effectiveness', 'effectiveness/*path'])
  toRisk(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.relay('risk', req, res, body);
  }

  /** Reading hazards and crashes is the risk service's; reporting them stays here. */
  @Get(['hazards', 'hazards/*path', 'accidents', 'accidents/*path'])
  readReports(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.relay('risk', req, res, undefined);
  }

  /** Reading a villager's photo needs a staff token; uploading one is the gateway's (ReportPhotosController). */
  @Get('report-photos/*path')
  readReportPhotos(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.relay('task', req, res, undefined);
  }

  @Post('hazards/within')
  hazardsWithin(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.relay('risk', req, res, body);
  }

  private async relay(service: UpstreamService, req: Request, res: Response, body: unknown): Promise<void> {
    const hasBody = !['GET', 'HEAD', 'DELETE'].includes(req.method);
    // A client that goes away before the answer stops the upstream request (and its queries).
    const gone = new AbortController();
    res.once('close', () => res.writableFinished || gone.abort());
    const result = await this.upstream.relay(service, req.method, forwardedTarget(service, req.originalUrl), {
      body: hasBody ? body : undefined,
      headers: req.headers,
      signal: gone.signal,
    });
    res.status(result.status).set(result.headers);
    if (!result.body) {
      res.end();
      return;
    }
    // A client that goes away stops the upstream read; an upstream that fails mid-answer cuts the client's.
    await pipeline(result.body, res).catch(() => res.destroy());
  }
}
