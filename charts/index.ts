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

/** Every component edgewatt can deploy, in sync-wave order. */
export const COMPONENT_REGISTRY: ReadonlyArray<ComponentDefinition> = [platformComponent, energyComponent, monitoringComponent, eventsComponent, fleetComponent, iomtComponent, dashboardsComponent];
