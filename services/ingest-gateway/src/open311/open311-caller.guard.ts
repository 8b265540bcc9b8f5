import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AUTH_OPTIONS, AuthOptions, Principal, bearerToken, verifyToken } from '@roadloop/auth';
import { AppError } from '@roadloop/core';

/** The largest form a POST may send: the longest description (2,000 characters) encoded, and room for the rest. */
export const MAX_FORM_BYTES = 64 * 1024;
const FORM_TYPE = 'application/x-www-form-urlencoded';

export interface Open311Request extends Request {
  principal?: Principal;
  /** A POST's fields as sent, in order (a name may repeat: refused later, by name). */
  open311Form?: URLSearchParams;
}

/**
 * Who calls an Open311 route. The spec's `api_key` (a POST's form field) is a Roadloop token, as is
 * an `Authorization: Bearer` header; either must verify (else 403, the spec's answer
 * to a bad key). Without either the caller is anonymous, like a villager on the reporting page, and
 * POSTs count against the per-address limit (the guard after this one). A POST's body is read here,
 * form-encoded as the spec says, so that its api_key is known before the limit is applied.
 */
@Injectable()
export class Open311CallerGuard implements CanActivate {
  constructor(@Inject(AUTH_OPTIONS) private readonly auth: AuthOptions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Open311Request>();
    if (req.method === 'POST') req.open311Form = await readForm(req, context.switchToHttp().getResponse<Response>());
    if (req.query.api_key !== undefined) {
      // A key in the address ends up in access logs and browser histories.
      throw new AppError('invalid', 'API_KEY_IN_URL', 'api_key: send it in the POST form or as Authorization: Bearer, never in the address', [
        { field: 'api_key', message: 'not accepted in the query string' },
      ]);
    }
    const apiKey = req.open311Form?.get('api_key') ?? undefined;
    if (apiKey !== undefined && apiKey !== '') {
      try {
        req.principal = await verifyToken(apiKey, this.auth);
      } catch (err) {
        throw new AppError('forbidden', 'INVALID_API_KEY', `api_key: not a valid key (${(err as Error).message})`);
      }
    } else if (req.headers.authorization !== undefined) {
      req.principal = await verifyToken(bearerToken(req.headers.authorization), this.auth);
    }
    return true;
  }
}

async function readForm(req: Request, res: Response): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== FORM_TYPE) {
    throw new AppError('unsupported_type', 'UNSUPPORTED_MEDIA_TYPE', `a service request is sent as ${FORM_TYPE} (got ${type || 'no content type'})`);
  }
  const charset = /charset=([^;]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.trim().replace(/"/g, '').toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError('unsupported_type', 'UNSUPPORTED_CHARSET', `the form must be UTF-8 (got ${charset})`);
  }
  const tooLarge = () => {
    // The rest of the body is not read: the connection closes after the answer instead of carrying it into the next request.
    res.setHeader('connection', 'close');
    return new AppError('too_large', 'PAYLOAD_TOO_LARGE', `the form is larger than ${MAX_FORM_BYTES} bytes`);
  };
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError('invalid', 'MALFORMED_FORM', 'the form is not valid UTF-8');
  }
  return new URLSearchParams(text);
}
