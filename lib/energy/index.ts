export * from './catalog';
export * from './generations';
export * from './kepler-exporter';
export * from './model-server';
export * from './device-exporter';
export * from './alerts';
export * from './device-bootstrap';
export * from './device-power';
