import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readGeoJsonFeatures, scoreFiles } from '@roadloop/geo';
import { parseCommandLine } from '@roadloop/config';
import { runCommand } from '@roadloop/core';
import { RISK_REPOSITORIES, persistenceFor } from './app.module';
import { loadRiskCliConfig } from './config';
import { readFile } from 'node:fs/promises';
import { SegmentImportService } from './import/segment-import.service';
import { parseAadtCsv } from './import/aadt-counts';
import { ModelReportService, reportText } from './risk/model-report.service';
import { RISK_MODEL } from './risk/risk-model';
import { SegmentRepository } from './segments/segment.repository';
import { REBUILD_COMMANDS, REBUILD_USAGE, rebuildCommand } from './rebuild/rebuild.command';

const USAGE = `usage:
  risk-service import --osm <extract.osm.pbf|.osm> [--dem <tile.hgt|directory>]
                                                         score a region with the geospatial engine and import it
  risk-service import --geojson <segments.geojson>       import segments written by \`roadloop-geo score\`
       [--aadt <counts.csv>]                             traffic counts (id,aadt; id a segment id w123-4 or a way id 123)
  risk-service predictions [--format text|json] [--top N]
                                                         the region's predicted and observed crashes per road class,
                                                         the calibration factor, the share of length per level,
                                                         thresholds proposed from its distribution, the riskiest segments
  risk-service rescore [--all]                           mark segments scored by another risk model version (or all)
                                                         for the running service to re-score and announce
  risk-service migrate                                   apply pending database migrations
${REBUILD_USAGE}`;

async function main(argv: string[]): Promise<number> {
  if (REBUILD_COMMANDS.includes(argv[0])) return rebuildCommand(argv, USAGE);
  const { positionals, values } = parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: {
      geojson: { type: 'string' },
      osm: { type: 'string' },
      dem: { type: 'string' },
      aadt: { type: 'string' },
      format: { type: 'string', default: 'text' },
      top: { type: 'string', default: '20' },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (!['import', 'migrate', 'predictions', 'rescore'].includes(command)) {
    process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const config = loadRiskCliConfig();

  @Module({
    imports: [persistenceFor({ ...config, DB_MIGRATE_ON_START: true })],
    providers: [...RISK_REPOSITORIES, SegmentImportService, ModelReportService],
  })
  class CliModule {}

  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['warn', 'error'] });
  try {
    if (command === 'migrate') {
      process.stdout.write(`migrations applied to schema ${config.DB_SCHEMA}\n`);
      return 0;
    }
    if (command === 'predictions') {
      const top = Number(values.top);
      if (values.format !== 'text' && values.format !== 'json') return usageError('--format must be text or json');
      if (!Number.isInteger(top) || top < 0 || top > 1000) return usageError('--top must be an integer from 0 to 1000');
      const report = await app.get(ModelReportService).report(new Date(), top);
      process.stdout.write(values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
      return 0;
    }
    if (command === 'rescore') {
      const marked = await app.get(SegmentRepository).markForRescore(values.all ? null : RISK_MODEL.version);
      process.stdout.write(
        `marked ${marked} segments in schema ${config.DB_SCHEMA} for re-scoring with risk model ${RISK_MODEL.version}; ` +
          `the running risk service re-scores them and announces each level change\n`,
      );
      return 0;
    }
    if (!values.geojson === !values.osm) {
      process.stderr.write(`import needs either --osm <extract> [--dem <tiles>] or --geojson <file>\n${USAGE}\n`);
      return 2;
    }
    const started = Date.now();
    // A GeoJSON file is read as the import goes (a province's millions of segments never in memory at once).
    let features: Iterable<unknown> | AsyncIterable<unknown>;
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
      features = readGeoJsonFeatures(values.geojson!);
    }
    const counts = values.aadt ? parseAadtCsv(await readFile(values.aadt, 'utf8'), values.aadt) : new Map<string, number>();
    const report = await app.get(SegmentImportService).importFeatures(features, counts);
    for (const r of report.rejected.slice(0, 20)) process.stderr.write(`feature ${r.index}: ${r.reason}\n`);
    if (report.rejectedCount > 20) process.stderr.write(`… and ${report.rejectedCount - 20} more rejected features\n`);
    process.stdout.write(
      `imported ${report.read - report.rejectedCount} of ${report.read} segments ` +
        `(${report.inserted} new, ${report.updated} updated, ${report.rejectedCount} rejected) ` +
        `into schema ${config.DB_SCHEMA} in ${((Date.now() - started) / 1000).toFixed(1)} s; ranking holds ${report.ranked}; ` +
        `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`,
    );
    return report.rejectedCount ? 3 : 0;
  } finally {
    await app.close();
  }
}

function usageError(message: string): number {
  process.stderr.write(`${message}\n${USAGE}\n`);
  return 2;
}

runCommand('risk-service', main);
