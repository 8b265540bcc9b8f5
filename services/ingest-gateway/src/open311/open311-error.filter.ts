import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '@roadloop/core';
import { httpStatusOf } from '@roadloop/http';
import { formatOfPath, sendOpen311 } from './open311.format';

/**
 * Errors of the Open311 routes in the spec's format: a list of `{ code, description }` (`<errors>`
 * in XML), one entry per bad field, with the HTTP status as the code; a 429 keeps its Retry-After.
 */
@Catch()
export class Open311ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Open311');

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const { status, errors } = describe(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (exception instanceof AppError && exception.retryAfterS !== undefined) res.setHeader('Retry-After', String(exception.retryAfterS));
    sendOpen311(res, formatOfPath(req.path) ?? 'json', status, 'errors', errors);
  }
}

export function describe(exception: unknown): { status: number; errors: { code: number; description: string }[] } {
  if (exception instanceof AppError) {
    const code = httpStatusOf(exception.kind);
    const errors = exception.fields.length
      ? exception.fields.map((f) => ({ code, description: `${f.field}: ${f.message}` }))
      : [{ code, description: exception.message }];
    return { status: code, errors };
  }
  if (exception instanceof HttpException) {
    const code = exception.getStatus();
    return { status: code, errors: [{ code, description: exception.message }] };
  }
  return { status: 500, errors: [{ code: 500, description: 'internal error' }] };
}
