export * from './app-error';
export * from './json-logger';
export * from './observability-registry';
export * from './cli';
