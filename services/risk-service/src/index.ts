/**
 * The risk service's public entry point for code outside it (the end-to-end tests): the shapes of
 * what its command line prints. The service runs from main.ts and cli.ts; nothing else in it is
 * imported from outside (`npm run lint:deps` checks).
 */
export type { ClassRow, ModelReport } from './risk/model-report.service';
