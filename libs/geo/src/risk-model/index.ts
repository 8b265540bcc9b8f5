export * from './risk-model.config';
export * from './formulas';
export * from './levels';
export * from './segment-risk';
