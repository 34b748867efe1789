import { ComponentDefinition } from './component';
import { dashboardsComponent } from './dashboards';
import { energyComponent } from './energy';
import { eventsComponent } from './events';
import { fleetComponent } from './fleet';
import { iomtComponent } from './iomt';
import { monitoringComponent } from './monitoring';
import { platformComponent } from './platform';

export * from './component';
export * from './platform';
export * from './energy';
export * from './monitoring';
export * from './events';
export * from './fleet';
export * from './iomt';
export * from './dashboards';

/**
 * Every component edgewatt can deploy, in sync-wave order. Frozen, with each definition: the charts file
 * (lib/synth/chart-cache.ts) serves this registry only, under a key of the code that defines it, so a definition
 * replaced or added at run time must not pass for it (a caller with other components passes its own registry).
 */
export const COMPONENT_REGISTRY: ReadonlyArray<ComponentDefinition> = Object.freeze(
  [platformComponent, energyComponent, monitoringComponent, eventsComponent, fleetComponent, iomtComponent, dashboardsComponent].map((d) => Object.freeze(d)),
);
