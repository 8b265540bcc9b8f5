import { Controller, Get, Logger } from '@nestjs/common';
import { OpenApiDocument, mergeOpenApi } from '@roadloop/http';
import { FORWARDED_PREFIXES } from './forwarding/forwarded-routes';
import { gatewayOpenApi } from './openapi';
import { UpstreamClient, UpstreamService } from './upstream.client';

/** A service's document cut to the paths the gateway forwards to it (not its /health, /metrics, …). */
export function forwardedPart(service: UpstreamService, doc: Pick<OpenApiDocument, 'paths'>): Pick<OpenApiDocument, 'paths'> {
  const forwarded = (path: string) => FORWARDED_PREFIXES[service].includes(/^\/v1\/([^/]+)/.exec(path)?.[1] ?? '');
  return { paths: Object.fromEntries(Object.entries(doc.paths ?? {}).filter(([path]) => forwarded(path))) };
}

/**
 * The public API description: the gateway's own routes plus the routes it forwards to the risk and
 * task services as they describe them, each built from the schemas that validate its requests. A service that does not answer
 * leaves its part out (and the document says so) rather than failing the whole document.
 */
@Controller('openapi.json')
export class OpenApiController {
  private readonly logger = new Logger(OpenApiController.name);

  constructor(private readonly upstream: UpstreamClient) {}

  @Get()
  async get(): Promise<OpenApiDocument> {
    const own = gatewayOpenApi();
    const parts: Pick<OpenApiDocument, 'paths'>[] = [];
    const missing: string[] = [];
    for (const service of ['risk', 'task'] as const) {
      try {
        const res = await this.upstream.forward(service, 'GET', '/openapi.json');
        if (res.status === 200 && res.body && typeof res.body === 'object') parts.push(forwardedPart(service, res.body as OpenApiDocument));
        else missing.push(service);
      } catch (err) {
        this.logger.warn(`openapi: ${service} service: ${(err as Error).message}`);
        missing.push(service);
      }
    }
    const merged = mergeOpenApi(own, ...parts);
    if (missing.length) merged.info.description = `${merged.info.description} (not reachable now: ${missing.join(', ')} service)`;
    return merged;
  }
}
