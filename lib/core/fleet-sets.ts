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

/**
 * The label Flotta uses for device set membership; the operator puts it on the EdgeDevice it creates from an
 * approved request's `targetSet` (flotta-operator v0.2.0 `api/v1alpha1/edgedeviceset_types.go`
 * `EdgedeviceSetLabel`, `controllers/edgedevicesignedrequest_controller.go`).
 */
export const FLOTTA_SET_LABEL = 'flotta/member-of';
