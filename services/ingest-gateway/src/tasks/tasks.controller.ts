import { All, Body, Controller, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UpstreamClient } from '../upstream.client';

/** Task queries and commands are owned by the task service; the gateway is their public door. */
@Controller('v1/tasks')
export class TasksController {
  constructor(private readonly upstream: UpstreamClient) {}

  @All(['', '*path'])
  async forward(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const headers: Record<string, string> = {};
    if (typeof req.headers.authorization === 'string') headers.authorization = req.headers.authorization;
    if (typeof req.headers['x-correlation-id'] === 'string') headers['x-correlation-id'] = req.headers['x-correlation-id'];
    const hasBody = !['GET', 'HEAD', 'DELETE'].includes(req.method);
    const upstream = await this.upstream.forward('task', req.method, req.originalUrl, {
      body: hasBody ? body : undefined,
      headers,
    });
    res.status(upstream.status).json(upstream.body);
  }
}
