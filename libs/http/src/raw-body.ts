import { raw } from 'express';
import type { Request, Response } from 'express';
import { AppError } from '@roadloop/core';

interface ParserError {
  type?: string;
  length?: number;
  limit?: number;
  message: string;
}

/**
 * A request's body as bytes, at most `limitBytes` (an upload: a photo is not JSON). The body is read
 * by express's own raw parser, which refuses a declared length over the limit before reading and
 * then drains the request, so the client receives the refusal instead of a reset connection.
 * Over the limit: `too_large` (413) with `tooLargeCode`, naming both sizes; a request without a
 * body gives an empty buffer.
 */
export function readRawBody(req: Request, res: Response, { limitBytes, tooLargeCode, what }: { limitBytes: number; tooLargeCode: string; what: string }): Promise<Buffer> {
  const parse = raw({ type: () => true, limit: limitBytes, inflate: false });
  return new Promise((resolve, reject) => {
    parse(req, res, (err?: unknown) => {
      if (!err) {
        resolve(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
        return;
      }
      const e = err as ParserError;
      if (e.type === 'entity.too.large') {
        const size = typeof e.length === 'number' && Number.isFinite(e.length) ? `${e.length} bytes` : 'larger than that';
        reject(new AppError('too_large', tooLargeCode, `${what} is ${size}; at most ${limitBytes} bytes are accepted`));
      } else if (e.type === 'encoding.unsupported') {
        reject(new AppError('unsupported_type', 'CONTENT_ENCODING_UNSUPPORTED', `${what} must be sent without a content encoding (${e.message})`));
      } else {
        reject(new AppError('invalid', 'BODY_UNREADABLE', `${what} could not be read: ${e.message}`));
      }
    });
  });
}
