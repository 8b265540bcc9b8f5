export * from './config';
export * from './command-line';
