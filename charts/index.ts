import { ComponentDefinition } from './component';
import { platformComponent } from './platform';

export * from './component';
export * from './platform';

/** Every component edgewatt can deploy, in sync-wave order. */
export const COMPONENT_REGISTRY: ReadonlyArray<ComponentDefinition> = [platformComponent];
