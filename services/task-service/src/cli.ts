import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFile } from 'node:fs/promises';
import { parseCommandLine } from '@roadloop/config';
import { describeIssues } from '@roadloop/contracts';
import { AppError, readFeatureCollection, runCommand } from '@roadloop/core';
import { CORE_PROVIDERS, persistenceFor } from './app.module';
import { TASK_CONFIG, loadTaskCliConfig } from './config';
import { jurisdictionFeatureSchema } from './jurisdictions/jurisdiction.schema';
import { JurisdictionService } from './jurisdictions/jurisdiction.service';
import { parseInventoryCsv } from './roadside/inventory-csv';
import { RoadsideException } from './roadside/roadside.exception';
import { RoadsideService } from './roadside/roadside.service';

const USAGE = `usage:
  task-service jurisdictions --geojson <areas.geojson>   create or replace jurisdictions from a FeatureCollection
                                                        of Polygon/MultiPolygon features with properties id and name
  task-service inventory --csv <guardrails.csv>          import surveyed guardrails (segmentId,side,fromM,toM,status[,observedAt]);
                                                        a bad row refuses the whole file, naming each row
  task-service inventory --geojson <guardrails.geojson>  the same from lines: a FeatureCollection of LineString/MultiLineString
                                                        features with properties status[, side, observedAt], snapped to the
                                                        segments within 15 m; a bad feature refuses the file, naming it
  task-service migrate                                   apply pending database migrations`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: { geojson: { type: 'string' }, csv: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (command !== 'jurisdictions' && command !== 'migrate' && command !== 'inventory') {
    process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  if (command === 'jurisdictions' && !values.geojson) {
    process.stderr.write(`jurisdictions needs --geojson <file>\n${USAGE}\n`);
    return 2;
  }
  if (command === 'inventory' && Boolean(values.csv) === Boolean(values.geojson)) {
    process.stderr.write(`inventory needs --csv <file> or --geojson <file>\n${USAGE}\n`);
    return 2;
  }
  const config = loadTaskCliConfig();

  @Module({
    imports: [persistenceFor({ ...config, DB_MIGRATE_ON_START: true })],
    providers: [{ provide: TASK_CONFIG, useValue: config }, ...CORE_PROVIDERS],
  })
  class CliModule {}

  const features = values.geojson ? await readFeatureCollection(values.geojson) : [];
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['warn', 'error'] });
  try {
    if (command === 'migrate') {
      process.stdout.write(`migrations applied to schema ${config.DB_SCHEMA}\n`);
      return 0;
    }
    if (command === 'inventory') return await importInventory(app.get(RoadsideService), values.csv ?? values.geojson!, values.csv ? null : features);
    const service = app.get(JurisdictionService);
    let created = 0;
    let replaced = 0;
    let rejected = 0;
    // Routing follows the stored assignments: the areas loaded so far are applied even when the load
    // stops on an error, which is reported once they are.
    try {
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
    } catch (err) {
      const loaded = `the load stopped after ${created + replaced} jurisdictions`;
      try {
        process.stderr.write(`${loaded}; ${await service.reassignSegments()} segment assignments changed\n`);
      } catch (again) {
        process.stderr.write(`${loaded}, whose segment assignments could not be recomputed (${(again as Error).message}): load them again\n`);
      }
      throw err;
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

/** Imports an inventory CSV, or GeoJSON features, through the service's checks (all or nothing); exit 3 on refused rows. */
async function importInventory(roadside: RoadsideService, path: string, features: unknown[] | null): Promise<number> {
  try {
    let result: Awaited<ReturnType<RoadsideService['importInventory']>>;
    if (features) result = await roadside.importGeoJson(features, 'task-service-cli');
    else {
      const parsed = parseInventoryCsv(await readFile(path, 'utf8'));
      if (!parsed.ok) throw new RoadsideException('INVENTORY_ROWS_INVALID', `${parsed.problems.length} problem(s), nothing imported`, parsed.problems);
      result = await roadside.importInventory(parsed.rows, 'task-service-cli');
    }
    process.stdout.write(`imported ${result.rows} rows (${result.sides} segment sides) from ${path}; ${result.opened.length} stretch task(s) opened\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    process.stderr.write(`${path}: ${err.message}\n${err.fields.map((f) => `  ${f.message}`).join('\n')}\n`);
    return 3;
  }
}

runCommand('task-service', main);
