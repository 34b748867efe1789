/** edgewatt: one typed description of an edge IoT platform in, validated Kubernetes YAML out. */
export * from './core/errors';
export * from './core/labels';
export { DNS_LABEL, didYouMean } from './core/names';
export * from './spec';
export * from './model';
export * from './synth';
export * from './stack';
export * from '../charts';
export { main as runCli } from './cli/main';
