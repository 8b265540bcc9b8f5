import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '@roadloop/core';
import { httpStatusOf } from './http-status';

interface BodyParserError {
  type?: string;
  status?: number;
  message: string;
}

/**
 * One JSON error shape for every failure: `{ statusCode, error, message, fields? }`. Domain errors
 * map through their kind; body-parser failures (bad JSON, too large) keep their 4xx; anything else
 * is a 500 that hides internals.
 */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.describe(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (exception instanceof AppError && exception.retryAfterS !== undefined) response.setHeader('Retry-After', String(exception.retryAfterS));
    response.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; body: Record<string, unknown> } {
    if (exception instanceof AppError) {
      const status = httpStatusOf(exception.kind);
      return {
        status,
        body: {
          statusCode: status,
          error: exception.code,
          message: exception.message,
          ...(exception.fields.length ? { fields: exception.fields } : {}),
        },
      };
    }
    // The express adapter wraps body-parser failures in an HttpException; describe the original.
    const cause = exception instanceof HttpException ? (exception.cause as BodyParserError | undefined) : undefined;
    if (cause?.type) return this.describe(cause);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      const message = typeof res === 'string' ? res : ((res as { message?: unknown }).message ?? exception.message);
      return { status, body: { statusCode: status, error: exception.name, message } };
    }
    const parserError = exception as BodyParserError;
    if (parserError?.type === 'entity.parse.failed') {
      return {
        status: 400,
        body: { statusCode: 400, error: 'MALFORMED_JSON', message: `request body is not valid JSON: ${parserError.message}` },
      };
    }
    if (parserError?.type === 'entity.too.deep') {
      return { status: 400, body: { statusCode: 400, error: 'JSON_TOO_DEEP', message: parserError.message } };
    }
    if (parserError?.type === 'entity.too.large') {
      return { status: 413, body: { statusCode: 413, error: 'PAYLOAD_TOO_LARGE', message: parserError.message } };
    }
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return {
        status: parserError.status,
        body: { statusCode: parserError.status, error: 'BAD_REQUEST', message: parserError.message },
      };
    }
    return { status: 500, body: { statusCode: 500, error: 'INTERNAL', message: 'internal error' } };
  }
}
