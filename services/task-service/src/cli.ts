import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { describeIssues } from '@roadloop/contracts';
import { AppError, readFeatureCollection, runCommand } from '@roadloop/http';
import { CORE_PROVIDERS, persistenceFor } from './app.module';
import { TASK_CONFIG, loadTaskCliConfig } from './config';
import { jurisdictionFeatureSchema } from './jurisdictions/jurisdiction.schema';
import { JurisdictionService } from './jurisdictions/jurisdiction.service';

const USAGE = `usage:
  task-service jurisdictions --geojson <areas.geojson>   create or replace jurisdictions from a FeatureCollection
                                                        of Polygon/MultiPolygon features with properties id and name
  task-service migrate                                   apply pending database migrations`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { geojson: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (command !== 'jurisdictions' && command !== 'migrate') {
    process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  if (command === 'jurisdictions' && !values.geojson) {
    process.stderr.write(`jurisdictions needs --geojson <file>\n${USAGE}\n`);
    return 2;
  }
  const config = loadTaskCliConfig();

  @Module({
    imports: [persistenceFor({ ...config, DB_MIGRATE_ON_START: true })],
    providers: [{ provide: TASK_CONFIG, useValue: config }, ...CORE_PROVIDERS],
  })
  class CliModule {}

  const features = command === 'jurisdictions' ? await readFeatureCollection(values.geojson!) : [];
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['warn', 'error'] });
  try {
    if (command === 'migrate') {
      process.stdout.write(`migrations applied to schema ${config.DB_SCHEMA}\n`);
      return 0;
    }
    const service = app.get(JurisdictionService);
    let created = 0;
    let replaced = 0;
    let rejected = 0;
    for (const [index, feature] of features.entries()) {
      const parsed = jurisdictionFeatureSchema.safeParse(feature);
      if (!parsed.success) {
        rejected++;
        process.stderr.write(`feature ${index}: ${describeIssues(parsed.error)}\n`);
        continue;
      }
      try {
        const { id, name } = parsed.data.properties;
        const result = await service.put(id, name, parsed.data.geometry, { reassignSegments: false });
        if (result.created) created++;
        else replaced++;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        rejected++;
        process.stderr.write(`feature ${index} (${parsed.data.properties.id}): ${err.message}\n`);
      }
    }
    // One recomputation for the whole load; the running service's outbox relay publishes the changes.
    const reassigned = await service.reassignSegments();
    process.stdout.write(
      `loaded ${created + replaced} of ${features.length} jurisdictions (${created} new, ${replaced} replaced, ${rejected} rejected) into schema ${config.DB_SCHEMA}; ` +
        `${reassigned} segment assignments changed\n`,
    );
    return rejected ? 3 : 0;
  } finally {
    await app.close();
  }
}

runCommand('task-service', main);
