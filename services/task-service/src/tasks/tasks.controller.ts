import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal, Principal, ROLES, Roles, RolesGuard } from '@roadloop/auth';
import { CSV_CONTENT_TYPE, GEOJSON_CONTENT_TYPE, parseOrThrow } from '@roadloop/http';
import { Clock } from '../clock';
import { CommandHeaders, bodyOf, correlationIdOf, idempotencyKeyOf, taskIdOf } from '../http-input';
import { tasksCsv, tasksGeoJson } from './task-list.format';
import { COMMAND_ROLES, TaskCommand, TaskCommandService } from './task-command.service';
import {
  assignSchema,
  duplicateSchema,
  listQuerySchema,
  reasonSchema,
  reopenSchema,
  submitSchema,
  verifySchema,
  versionOnlySchema,
} from './task-http.schema';
import { TaskQueryService } from './task-query.service';
import { taskView } from './task.model';

/** Task queries (every role; crews see their own) and commands (by role, see COMMAND_ROLES). */
@Controller('v1/tasks')
@UseGuards(RolesGuard)
export class TasksController {
  constructor(
    private readonly queries: TaskQueryService,
    private readonly commands: TaskCommandService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Roles(...ROLES)
  async list(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response) {
    const { format, cursor, ...filter } = parseOrThrow(listQuerySchema, query, 'query');
    const page = await this.queries.page({ ...filter, after: cursor }, principal);
    if (page.nextCursor) res.setHeader('x-next-cursor', page.nextCursor);
    if (format === 'csv') {
      res.setHeader('content-type', CSV_CONTENT_TYPE);
      return tasksCsv(page);
    }
    if (format === 'geojson') {
      res.setHeader('content-type', GEOJSON_CONTENT_TYPE);
      return tasksGeoJson(page);
    }
    return page;
  }

  @Get(':id')
  @Roles(...ROLES)
  detail(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.queries.detail(taskIdOf(id), principal);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.assign)
  assign(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Headers() h: CommandHeaders) {
    const { expectedVersion, ...input } = parseOrThrow(assignSchema, bodyOf(body));
    return this.run(id, p, { action: 'assign', ...input }, expectedVersion, h);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.accept)
  accept(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Headers() h: CommandHeaders) {
    const { expectedVersion } = parseOrThrow(versionOnlySchema, bodyOf(body));
    return this.run(id, p, { action: 'accept' }, expectedVersion, h);
  }

  @Post(':id/start')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.start)
  start(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Headers() h: CommandHeaders) {
    const { expectedVersion } = parseOrThrow(versionOnlySchema, bodyOf(body));
    return this.run(id, p, { action: 'start' }, expectedVersion, h);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.submit)
  submit(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Headers() h: CommandHeaders) {
    const { expectedVersion, evidence } = parseOrThrow(submitSchema, bodyOf(body));
    return this.run(id, p, { action: 'submit', evidence }, expectedVersion, h);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.verify)
  verify(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Headers() h: CommandHeaders) {
    const { expectedVersion, ...input } = parseOrThrow(verifySchema, bodyOf(body));
    return this.run(id, p, { action: 'verify', ...input }, expectedVersion, h);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.reject)
  reject(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Headers() h: CommandHeaders) {
    const { expectedVersion, reason } = parseOrThrow(reasonSchema, bodyOf(body));
    return this.run(id, p, { action: 'reject', reason }, expectedVersion, h);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.cancel)
  cancel(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Headers() h: CommandHeaders) {
    const { expectedVersion, reason } = parseOrThrow(reasonSchema, bodyOf(body));
    return this.run(id, p, { action: 'cancel', reason }, expectedVersion, h);
  }

  @Post(':id/duplicate')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.mark_duplicate)
  duplicate(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Headers() h: CommandHeaders) {
    const { expectedVersion, ...input } = parseOrThrow(duplicateSchema, bodyOf(body));
    return this.run(id, p, { action: 'mark_duplicate', ...input }, expectedVersion, h);
  }

  @Post(':id/unable-to-fix')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.unable_to_fix)
  unableToFix(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Headers() h: CommandHeaders) {
    const { expectedVersion, reason } = parseOrThrow(reasonSchema, bodyOf(body));
    return this.run(id, p, { action: 'unable_to_fix', reason }, expectedVersion, h);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.reopen)
  reopen(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal, @Headers() h: CommandHeaders) {
    const { expectedVersion, ...input } = parseOrThrow(reopenSchema, bodyOf(body));
    return this.run(id, p, { action: 'reopen', ...input }, expectedVersion, h);
  }

  private async run(id: string, principal: Principal, command: TaskCommand, expectedVersion: number | undefined, headers: CommandHeaders) {
    const task = await this.commands.execute(taskIdOf(id), principal, command, {
      expectedVersion,
      correlationId: correlationIdOf(headers['x-correlation-id']),
      idempotencyKey: idempotencyKeyOf(headers['idempotency-key']),
    });
    return taskView(task, this.clock.now());
  }
}
