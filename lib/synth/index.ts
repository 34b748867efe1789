export * from './kube-object';
export * from './layout';
export * from './serialize';
export * from './synthesize';
export * from './tree';
export * from './writer';
export { synthesizeManifests, normalizeObject } from './manifests';
export * from './shards';
export * from './documents';
