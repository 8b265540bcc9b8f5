import { All, Body, Controller, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UpstreamClient } from '../upstream.client';

async function forward(upstream: UpstreamClient, service: 'task' | 'risk', req: Request, res: Response, body: unknown) {
  const headers: Record<string, string> = {};
  if (typeof req.headers.authorization === 'string') headers.authorization = req.headers.authorization;
  if (typeof req.headers['x-correlation-id'] === 'string') headers['x-correlation-id'] = req.headers['x-correlation-id'];
  const hasBody = !['GET', 'HEAD', 'DELETE'].includes(req.method);
  const result = await upstream.forward(service, req.method, req.originalUrl, { body: hasBody ? body : undefined, headers });
  if (typeof result.body === 'string' && !result.contentType.includes('json')) {
    res.status(result.status).type(result.contentType).send(result.body);
  } else {
    res.status(result.status).json(result.body);
  }
}

/** Tasks, jurisdictions and crews are owned by the task service; the gateway is their public door. */
@Controller('v1')
export class TasksController {
  constructor(private readonly upstream: UpstreamClient) {}

  @All(['tasks', 'tasks/*path', 'jurisdictions', 'jurisdictions/*path', 'crews', 'crews/*path'])
  toTasks(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return forward(this.upstream, 'task', req, res, body);
  }

  @All(['segments', 'segments/*path', 'reports/*path', 'hotspots'])
  toRisk(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return forward(this.upstream, 'risk', req, res, body);
  }
}
