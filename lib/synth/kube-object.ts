/** Moved to lib/core/kube-object.ts (shared by synth, validate and gitops); re-exported here for existing imports. */
export * from '../core/kube-object';
