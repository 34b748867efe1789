export * from './argocd';
export * from './cert-manager';
export * from './flotta-operator';
export * from './health-check';
export * from './helm-source';
export * from './sync';
export * from './synth';
export * from './kube-prometheus-stack';
