/**
 * The repository's module boundaries, checked by dependency-cruiser in `npm test` (`npm run lint:deps`).
 * Paths are relative to the repository root; `@roadloop/<lib>` resolves to `libs/<lib>/src` through
 * test/tsconfig.json, so an import of a library is seen as an import of its source.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const { join } = require('node:path');

const FRAMEWORKS = '(^|/)node_modules/(@nestjs/[^/]+|typeorm|ioredis|kafkajs|pg|express)/';
const SERVICE = '^services/([^/]+)/';
const PAGES = '^services/ingest-gateway/public/';

module.exports = {
  forbidden: [
    {
      name: 'geo-is-pure',
      comment:
        'libs/geo is the pure engine: it runs from a CLI and a test with no servers. Neither it nor anything ' +
        'it imports, however indirectly, may pull in NestJS, TypeORM, ioredis, kafkajs, pg or Express. ' +
        '(Its benchmarks, under bench/, measure the matcher against PostGIS and may use pg.)',
      severity: 'error',
      from: { path: '^libs/geo/(src|bin)/' },
      to: { path: FRAMEWORKS, reachable: true },
    },
    {
      name: 'geo-imports-only-contracts',
      comment:
        'Of the workspace libraries, libs/geo imports only @roadloop/contracts: the shared vocabulary ' +
        '(risk levels, hazard categories, countermeasures) as zod schemas, one list in one place.',
      severity: 'error',
      from: { path: '^libs/geo/' },
      to: { path: '^libs/', pathNot: ['^libs/geo/', '^libs/contracts/'] },
    },
    {
      name: 'contracts-are-plain-schemas',
      comment: 'libs/contracts is zod and Node only, so every process and the pure engine can share it.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: {
        pathNot: ['^libs/contracts/', '(^|/)node_modules/(zod|@jest/globals)/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'core-is-below-the-http-edge',
      comment:
        'libs/core is what every process shares below its HTTP edge (error kinds, the JSON logger, the ' +
        'metrics registry, command-line helpers): it imports @nestjs/common (an injectable registry, the ' +
        'logger interface), prom-client and, of the workspace libraries, only libs/config. No HTTP ' +
        'platform, Express, database or broker client.',
      severity: 'error',
      from: { path: '^libs/core/' },
      to: {
        pathNot: ['^libs/core/', '^libs/config/', '(^|/)node_modules/(@nestjs/common|prom-client|@jest/globals)/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'infrastructure-libs-skip-the-http-edge',
      comment:
        'libs/kafka, libs/persistence and libs/auth take error kinds, logging and metrics from libs/core, ' +
        'never from libs/http (the HTTP edge of a service); their tests may use it to answer through it.',
      severity: 'error',
      from: { path: '^libs/(kafka|persistence|auth)/', pathNot: '\\.(spec|int-spec)\\.ts$' },
      to: { path: '^libs/http/' },
    },
    {
      name: 'libs-never-import-services',
      comment: 'Libraries are shared by the services; a service is never a library.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^services/' },
    },
    {
      name: 'no-service-imports-another',
      comment: 'Services talk through topics and HTTP, never by importing each other.',
      severity: 'error',
      from: { path: SERVICE },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'pages-import-no-server-code',
      comment:
        'The browser pages (the map, the reporting pages, the crew app) are plain ES modules served as ' +
        'they are: they import each other and what the gateway serves under a URL, never server code.',
      severity: 'error',
      from: { path: PAGES },
      to: { pathNot: PAGES, couldNotResolve: false },
    },
    {
      name: 'server-imports-no-pages',
      comment: 'Server code does not run the browser pages; only their tests load them.',
      severity: 'error',
      from: { path: SERVICE, pathNot: ['\\.spec\\.ts$', PAGES] },
      to: { path: PAGES },
    },
    {
      name: 'tests-use-service-entry-points',
      comment:
        'End-to-end tests drive the built services through HTTP, topics and their command lines; the only ' +
        'service file they may import is its public entry point, src/index.ts (types of what it outputs).',
      severity: 'error',
      from: { path: '^test/' },
      to: { path: '^services/[^/]+/', pathNot: '^services/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle between modules makes their load order matter; break it. A cycle closed only by ' +
        '`import type` is erased at compile time and allowed.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'An import that resolves to nothing is a typo or a missing package (URLs of served files, and built ' +
        'output that a fresh clone has only after `npm run build`, aside).',
      severity: 'error',
      from: { pathNot: PAGES },
      to: { couldNotResolve: true, pathNot: '(^|/)dist/' },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '^(libs|services)/[^/]+/dist/' },
    tsPreCompilationDeps: true,
    webpackConfig: { fileName: join(__dirname, 'infra', 'dependency-cruiser', 'resolve.config.js') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      // The package picture in the README (infra/scripts/deps-graph.sh): one box per library, service,
      // browser page folder and the end-to-end tests; production code and e2e tests, not unit tests.
      dot: {
        collapsePattern: '^services/ingest-gateway/public/[^/]+|^(libs|services)/[^/]+|^test',
        filters: {
          includeOnly: { path: '^(libs|services|test)/' },
          exclude: { path: '\\.(spec|int-spec)\\.ts$|/(testing|bench)/' },
        },
        theme: { graph: { rankdir: 'TB', splines: 'true', ranksep: '0.5' } },
      },
    },
  },
};
