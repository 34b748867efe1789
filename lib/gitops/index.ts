export * from './argocd';
export * from './synth';
export * from './kube-prometheus-stack';
