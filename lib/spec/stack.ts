import { z } from 'zod';
import { clusterSchema } from './clusters';
import { dnsLabel } from './common';
import { dashboardsSchema } from './dashboards';
import { energySchema } from './energy';
import { fleetSchema } from './fleet';
import { gitopsSchema } from './gitops';
import { helmSchema } from './helm';
import { iomtSchema } from './iomt';
import { monitoringSchema } from './monitoring';

/** The whole stack: the shape of stack.yaml and of the props of the EdgewattStack construct. */
export const stackSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema location, for editors. Ignored.'),
    name: dnsLabel.describe('Stack name: used in labels, the Argo CD project and object names.'),
    gitops: gitopsSchema.optional(),
    helm: helmSchema.optional(),
    clusters: z.array(clusterSchema).min(1, { message: 'must list at least one cluster' }),
    energy: energySchema.optional(),
    monitoring: monitoringSchema.optional(),
    dashboards: dashboardsSchema.optional(),
    fleet: fleetSchema.optional(),
    iomt: iomtSchema.optional(),
  })
  .describe('An edgewatt stack: an edge IoT platform described once.');

/** A stack as users write it (defaults may be left out). */
export type StackInput = z.input<typeof stackSchema>;

/** A stack after parsing, with every default applied. */
export type StackSpec = z.output<typeof stackSchema>;
