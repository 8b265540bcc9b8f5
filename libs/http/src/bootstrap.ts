import { INestApplication, Logger, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { json } from 'express';
import { ConfigError } from '@roadloop/config';
import { accessLog } from './access-log';
import { correlationIdFrom } from './correlation';
import { AppErrorFilter } from './error.filter';
import { refuseDeepJson } from './json-depth';
import { JsonLogger, ObservabilityRegistry, logContext } from '@roadloop/core';
import { requestMetrics } from './observability';
import { requestTargetGuard } from './request-target';

const LEVELS: Record<string, LogLevel[]> = {
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
};

export interface EdgeOptions {
  bodyLimit?: string;
  /** How access lines are written: fields of a JSON line, or one text line (the service's LOG_FORMAT). */
  logFormat?: 'json' | 'text';
}

/**
 * Applies what every service's HTTP edge shares: an access line per request, refusal of request
 * targets that could steer a forwarded request elsewhere, headers that stop browsers sniffing
 * content types and leaking URLs as referrers, body limits, error shape, shutdown hooks.
 */
export function configureApp(app: INestApplication, options: EdgeOptions = {}): INestApplication {
  // Every log line written while handling a request carries the caller's correlation id.
  app.use((req: { headers: Record<string, string | string[] | undefined> }, _res: unknown, next: () => void) => {
    const correlationId = correlationIdFrom(req.headers['x-correlation-id']);
    logContext.run(correlationId ? { correlationId } : {}, next);
  });
  const access = new Logger('access');
  app.use(accessLog((entry) => (options.logFormat === 'text' ? access.log(entry.message) : access.log(entry))));
  const observability = observabilityOf(app);
  if (observability) app.use(requestMetrics(observability));
  app.use(requestTargetGuard);
  app.use((_req: unknown, res: { setHeader(name: string, value: string): unknown }, next: () => void) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  // GeoJSON bodies (a polygon to search within) are JSON too.
  app.use(json({ limit: options.bodyLimit ?? '256kb', type: ['application/json', 'application/geo+json'], verify: refuseDeepJson }));
  // No ETag: hashing a multi-megabyte GeoJSON answer costs more than any client saves (none revalidates).
  const server = app.getHttpAdapter().getInstance() as { set?: (name: string, value: unknown) => void };
  server.set?.('etag', false);
  server.set?.('x-powered-by', false);
  app.useGlobalFilters(new AppErrorFilter());
  app.enableShutdownHooks();
  return app;
}

/** The application's metrics registry, when it imports ObservabilityModule. */
function observabilityOf(app: INestApplication): ObservabilityRegistry | undefined {
  try {
    return app.get(ObservabilityRegistry, { strict: false });
  } catch {
    return undefined;
  }
}

export interface ServiceBootstrap {
  name: string;
  /** Reads and validates the configuration; throws ConfigError on a bad environment. */
  loadConfig(): { HTTP_HOST: string; HTTP_PORT: number; LOG_LEVEL: string; LOG_FORMAT: 'json' | 'text' };
  module(config: never): Type<unknown> | import('@nestjs/common').DynamicModule;
  bodyLimit?: string;
}

/** Starts a service: config first (fail fast with a clear message), then the application. */
export async function bootstrapService(spec: ServiceBootstrap): Promise<INestApplication | undefined> {
  let config;
  try {
    config = spec.loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 78; // EX_CONFIG
      return undefined;
    }
    throw err;
  }
  const levels = LEVELS[config.LOG_LEVEL] ?? LEVELS.info;
  const app = await NestFactory.create(spec.module(config as never), {
    bodyParser: false,
    logger: config.LOG_FORMAT === 'json' ? new JsonLogger(spec.name, levels) : levels,
  });
  configureApp(app, { bodyLimit: spec.bodyLimit, logFormat: config.LOG_FORMAT });
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  new Logger(spec.name).log(`listening on http://${config.HTTP_HOST}:${config.HTTP_PORT}`);
  return app;
}
