/** edgewatt: one typed description of an edge IoT platform in, validated Kubernetes YAML out. */
export * from './core/errors';
export * from './core/labels';
export { DNS_LABEL, didYouMean } from './core/names';
export * from './spec';
export * from './model';
export * from './synth';
export * from './stack';
export * from './energy';
export * from './monitoring';
export * from './iomt';
export * from './gitops';
export * from './validate';
export * from './core/policy';
export * from './core/endpoints';
export * from './core/versions';
export * from './core/monitoring-contract';
export * from '../charts';
export { main as runCli } from './cli/main';
