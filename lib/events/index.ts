export * from './alerts';
export * from './catalog';
export * from './kube-eventer';
export * from './registries';
export * from './clusters';
