import { Controller, Get, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import { parseOrThrow } from '@roadloop/http';
import { SegmentQueryService } from './segment-query.service';

const topQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(20) }).strict();

@Controller('v1/segments')
export class SegmentsController {
  constructor(private readonly query: SegmentQueryService) {}

  @Get('top')
  top(@Query() query: unknown) {
    return this.query.top(parseOrThrow(topQuerySchema, query, 'query').limit);
  }

  @Get(':id')
  detail(@Param('id') id: string) {
    return this.query.detail(id);
  }
}
