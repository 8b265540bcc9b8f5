#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled to dist/ by `npm run build`.
let main;
try {
  main = require('../dist/cli/main').main;
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('roadloop-geo: not built yet; run `npm run build` at the repository root first\n');
    process.exit(2);
  }
  throw err;
}
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`roadloop-geo: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
