import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError } from '@roadloop/config';
import { persistenceFor } from './app.module';
import { loadRiskConfig } from './config';
import { HazardRepository } from './hazards/hazard.repository';
import { SegmentImportService } from './import/segment-import.service';
import { RankingStore } from './risk/ranking.store';
import { SegmentRiskRepository } from './risk/segment-risk.repository';
import { SegmentRepository } from './segments/segment.repository';

const USAGE = `usage:
  risk-service import --geojson <segments.geojson>       import segments written by \`roadloop-geo score\`
  risk-service migrate                                   apply pending database migrations`;

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
  if (command !== 'import' && command !== 'migrate') {
    process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const config = loadRiskConfig();

  @Module({
    imports: [persistenceFor({ ...config, DB_MIGRATE_ON_START: true })],
    providers: [SegmentRepository, SegmentRiskRepository, HazardRepository, RankingStore, SegmentImportService],
  })
  class CliModule {}

  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['warn', 'error'] });
  try {
    if (command === 'migrate') {
      process.stdout.write(`migrations applied to schema ${config.DB_SCHEMA}\n`);
      return 0;
    }
    if (!values.geojson) {
      process.stderr.write(`import needs --geojson <file>\n${USAGE}\n`);
      return 2;
    }
    const features = await readFeatures(values.geojson);
    const started = Date.now();
    const report = await app.get(SegmentImportService).importFeatures(features);
    for (const r of report.rejected.slice(0, 20)) process.stderr.write(`feature ${r.index}: ${r.reason}\n`);
    if (report.rejected.length > 20) process.stderr.write(`… and ${report.rejected.length - 20} more rejected features\n`);
    process.stdout.write(
      `imported ${report.read - report.rejected.length} of ${report.read} segments ` +
        `(${report.inserted} new, ${report.updated} updated, ${report.rejected.length} rejected) ` +
        `into schema ${config.DB_SCHEMA} in ${((Date.now() - started) / 1000).toFixed(1)} s; ranking holds ${report.ranked}\n`,
    );
    return report.rejected.length ? 3 : 0;
  } finally {
    await app.close();
  }
}

async function readFeatures(path: string): Promise<unknown[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not a readable JSON file: ${(err as Error).message}`);
  }
  const collection = json as { type?: unknown; features?: unknown };
  if (collection?.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    throw new Error(`${path}: expected a GeoJSON FeatureCollection`);
  }
  return collection.features;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : `risk-service: ${(err as Error).message}`}\n`);
    process.exit(1);
  },
);
