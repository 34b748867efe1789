/**
 * Names of the Flotta device sets edgewatt generates beside the stack's own (lib/fleet/registration.ts):
 * shared by the model, which reserves them, and the fleet component, which emits them.
 */

/** The set of listed devices that name no set: it carries the stack defaults (heartbeat, metrics receiver). */
export const FLOTTA_DEFAULT_SET = 'edgewatt-default';

/** Suffix of the variant of a set for its devices outside the selection policy (system metrics disabled). */
export const UNSAMPLED_SUFFIX = '-unsampled';

/** Longest device set name, so that its unsampled variant is still a DNS label. */
export const MAX_SET_NAME_LENGTH = 63 - UNSAMPLED_SUFFIX.length;
