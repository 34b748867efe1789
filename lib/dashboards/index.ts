export * from './panels';
export * from './dashboards';
export * from './grafana';
