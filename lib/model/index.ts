export * from './types';
export * from './resolve';
export { KEPLER_EXCEPTION_REASON } from './namespaces';
export * from './monitoring';
export { devicePowerOf, setPowers } from './device-power';
