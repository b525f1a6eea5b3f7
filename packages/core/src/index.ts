export * from './errors';
export * from './graph';
export * from './migration-file';
export * from './plan';
export * from './revision';
export * from './target';
