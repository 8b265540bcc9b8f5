import { INestApplication, Logger, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { json } from 'express';
import { ConfigError } from '@roadloop/config';
import { AppErrorFilter } from './error.filter';

const LEVELS: Record<string, LogLevel[]> = {
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
};

/** Applies what every service's HTTP edge shares: body limits, error shape, shutdown hooks. */
export function configureApp(app: INestApplication, options: { bodyLimit?: string } = {}): INestApplication {
  app.use(json({ limit: options.bodyLimit ?? '256kb' }));
  app.useGlobalFilters(new AppErrorFilter());
  app.enableShutdownHooks();
  return app;
}

export interface ServiceBootstrap {
  name: string;
  /** Reads and validates the configuration; throws ConfigError on a bad environment. */
  loadConfig(): { HTTP_HOST: string; HTTP_PORT: number; LOG_LEVEL: string };
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
  const app = await NestFactory.create(spec.module(config as never), {
    bodyParser: false,
    logger: LEVELS[config.LOG_LEVEL] ?? LEVELS.info,
  });
  configureApp(app, { bodyLimit: spec.bodyLimit });
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  new Logger(spec.name).log(`listening on http://${config.HTTP_HOST}:${config.HTTP_PORT}`);
  return app;
}
