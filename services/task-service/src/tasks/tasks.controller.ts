import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { z } from 'zod';
import { parseOrThrow } from '@roadloop/http';
import { TaskService } from './task.service';

const listQuerySchema = z
  .object({
    segmentId: z.string().min(1).max(100).optional(),
    status: z.string().regex(/^[a-z_]{1,30}$/).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

@Controller('v1/tasks')
export class TasksController {
  constructor(private readonly tasks: TaskService) {}

  @Get()
  async list(@Query() query: unknown) {
    const items = await this.tasks.list(parseOrThrow(listQuerySchema, query, 'query'));
    return { items };
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.tasks.get(id);
  }
}
