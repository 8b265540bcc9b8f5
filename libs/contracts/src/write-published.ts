import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ALL_TOPICS } from './index';
import { publishedContractFiles } from './published';

/**
 * `npm run contracts:generate`: rewrites the published contracts (asyncapi.json, schemas/*.schema.json)
 * from the zod schemas, and removes schema files of topics that have no contract any more.
 */
function main(): void {
  const root = join(__dirname, '..');
  const files = publishedContractFiles(ALL_TOPICS);
  let changed = 0;
  for (const [path, text] of files) {
    const target = join(root, path);
    let before: string | undefined;
    try {
      before = readFileSync(target, 'utf8');
    } catch {
      before = undefined;
    }
    if (before === text) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    changed++;
    console.log(`wrote libs/contracts/${path}`);
  }
  for (const name of readdirSync(join(root, 'schemas'))) {
    if (files.has(`schemas/${name}`)) continue;
    rmSync(join(root, 'schemas', name));
    changed++;
    console.log(`removed libs/contracts/schemas/${name}`);
  }
  console.log(changed ? `${changed} file(s) changed` : 'the published contracts were up to date');
}

main();
