export * from './app-error';
export * from './bootstrap';
export * from './error.filter';
export * from './validation';
export * from './openapi';
export * from './cli';
export * from './observability';
export * from './json-logger';
