/** Live-cluster commands; @kubernetes/client-node is imported by `connect` only, when it is called. */
export * from './types';
export { connect } from './kube';
export type { ConnectOptions } from './kube';
export { expectedFromTree } from './expected';
export type { Expected, ExpectedApplication, ExpectedDevice } from './expected';
export * from './status';
export * from './wait';
export { dryRunTree, formatDryRun } from './dry-run';
export type { DryRunOutcome } from './dry-run';
export { diffLive, formatDiff, normalized } from './diff';
export type { ObjectDiff } from './diff';
export { readClusterTree } from './tree';
export type { ClusterTree } from './tree';
