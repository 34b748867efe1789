export * from './stack';
export * from './parse';
export * from './json-schema';
export { PLATFORMS } from './clusters';
export { KEPLER_GENERATIONS } from './energy';
export { MONITORING_MODES } from './monitoring';
export { DASHBOARD_MODES } from './dashboards';
export { THING_KINDS } from './iomt';
