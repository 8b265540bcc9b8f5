import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { scoreFiles } from '@roadloop/geo';
import { readFeatureCollection, runCommand } from '@roadloop/http';
import { RISK_REPOSITORIES, persistenceFor } from './app.module';
import { loadRiskConfig } from './config';
import { SegmentImportService } from './import/segment-import.service';

const USAGE = `usage:
  risk-service import --osm <extract.osm.pbf|.osm> [--dem <tile.hgt|directory>]
                                                         score a region with the geospatial engine and import it
  risk-service import --geojson <segments.geojson>       import segments written by \`roadloop-geo score\`
  risk-service migrate                                   apply pending database migrations`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      geojson: { type: 'string' },
      osm: { type: 'string' },
      dem: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
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
    providers: [...RISK_REPOSITORIES, SegmentImportService],
  })
  class CliModule {}

  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['warn', 'error'] });
  try {
    if (command === 'migrate') {
      process.stdout.write(`migrations applied to schema ${config.DB_SCHEMA}\n`);
      return 0;
    }
    if (!values.geojson === !values.osm) {
      process.stderr.write(`import needs either --osm <extract> [--dem <tiles>] or --geojson <file>\n${USAGE}\n`);
      return 2;
    }
    const started = Date.now();
    let features: unknown[];
    if (values.osm) {
      const scored = await scoreFiles({ osmPath: values.osm, demPath: values.dem ?? null });
      const s = scored.summary;
      for (const warning of s.warnings) process.stderr.write(`warning: ${warning}\n`);
      process.stdout.write(
        `scored ${s.segments} segments (${s.lengthKm.toFixed(1)} km): ${s.waterSide} water-side, ${s.cliffSide} cliff-side, ` +
          `${s.unknownTerrain} with unknown terrain\n`,
      );
      features = scored.segments.features;
    } else {
      features = await readFeatureCollection(values.geojson!);
    }
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

runCommand('risk-service', main);
