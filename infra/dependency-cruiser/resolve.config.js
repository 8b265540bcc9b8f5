/**
 * How dependency-cruiser resolves `@roadloop/<lib>`: to the library's source, as tsc and jest do
 * (test/tsconfig.json's `paths`, test/jest.config.js's moduleNameMapper), not to its built `dist/`
 * through the workspace link. (dependency-cruiser reads a tsconfig's `paths` relative to the working
 * directory when the tsconfig has no `baseUrl`, which TypeScript 6 deprecates; hence this alias.)
 */
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

const LIBS = join(__dirname, '..', '..', 'libs');

module.exports = {
  resolve: {
    alias: Object.fromEntries(readdirSync(LIBS).map((lib) => [`@roadloop/${lib}$`, join(LIBS, lib, 'src')])),
  },
};
