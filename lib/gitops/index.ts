export * from './argocd';
export * from './synth';
