export * from './catalogue';
export * from './needs';
export * from './stretches';
export * from './solve';
export * from './plan';
