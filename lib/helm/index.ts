export * from './escape';
export * from './values';
export * from './argocd';
export * from './chart';
export * from './version-check';
export * from './synth';
