export * from './types';
export * from './resolve';
export { forgetResolvedDevices, withoutDeviceReuse } from './resolved-devices';
export { KEPLER_EXCEPTION_REASON } from './namespaces';
export * from './monitoring';
export { devicePowerOf, setPowers } from './device-power';
