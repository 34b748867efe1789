import { ComponentDefinition } from './component';
import { energyComponent } from './energy';
import { platformComponent } from './platform';

export * from './component';
export * from './platform';
export * from './energy';

/** Every component edgewatt can deploy, in sync-wave order. */
export const COMPONENT_REGISTRY: ReadonlyArray<ComponentDefinition> = [platformComponent, energyComponent];
