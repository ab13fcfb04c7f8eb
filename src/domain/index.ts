export * from './booking';
export * from './crew';
export * from './money';
export * from './revenue';
export * from './slug';
export * from './time';
