export * from './wiring';
export * from './mthing';
export * from './diagram';
