/**
 * One jest configuration for the whole monorepo. Sources are compiled by swc (types are checked
 * separately by `npm run typecheck`). NestJS 12, Turf 7 and a few index packages ship ESM only, so
 * they are compiled to CommonJS too instead of being ignored.
 * @type {import('jest').Config}
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  },
];

const esmOnly = ['@nestjs', '@turf', 'flatbush', 'flatqueue', 'kdbush', 'pbf', 'fast-check', 'zod', 'jose'];

const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  // A relative import written with its compiled extension (`import('./x.js')`, as Node's module
  // resolution asks for) resolves to the TypeScript source.
  moduleNameMapper: { '^@roadloop/([a-z-]+)$': '<rootDir>/libs/$1/src', '^(\\.{1,2}/.*)\\.js$': '$1' },
  rootDir: require('node:path').resolve(__dirname, '..'),
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/services/**/*.spec.ts'] },
    { ...base, displayName: 'int', testMatch: ['<rootDir>/libs/**/*.int-spec.ts', '<rootDir>/services/**/*.int-spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
