import { deepFreeze } from '../core/freeze';
import { JsonTemplate } from '../core/object-digest';
import { isPlainObject } from '../core/plain-api-object';

/** A device's registration request as rendered: a frozen plain object. */
export type RenderRequest = (name: string, targetSet: string) => Readonly<Record<string, unknown>>;

/**
 * The probe a renderer is learnt from: strings no setting is likely to hold (a setting that holds one only sends
 * every request down the generic path).
 */
const PROBE_NAME = 'edgewatt-probe-device-7f3a';
const PROBE_SET = 'edgewatt-probe-set-7f3a';

/**
 * Device registration requests rendered straight into their final shape: what `generic(name, targetSet)` gives,
 * deep-frozen, for every device, from one rendered probe.
 *
 * A request of EdgeDeviceSignedRequests.addDevice differs from device to device only in three strings: its name
 * (`metadata.name`), its name label (`metadata.labels[nameLabel]`) and its set (`spec.targetSet`). Everything else —
 * which keys there are, their order (the generic render sorts them as cdk8s does, by key, never by value), and
 * their values — comes from the shared settings. So the probe, rendered once by the generic path, gives the
 * shape, and each device's request is the probe's objects copied with those three strings put in. At 100,000
 * devices the generic path (copy with sorted keys, then a deep freeze) took 0.54–0.76 s, this one about 0.1 s
 * (a micro-benchmark).
 *
 * When the probe is not shaped so (the three strings are not where they are expected, or are found elsewhere too),
 * every request takes the generic path, as does a name or set that is not a string.
 * test/fleet/request-renderer.test.ts compares both paths on generated settings.
 */
export function requestRenderer(generic: (name: string, targetSet: string) => Record<string, unknown>, nameLabel: string): RenderRequest {
  const slow: RenderRequest = (name, targetSet) => deepFreeze(generic(name, targetSet));
  const probe = deepFreeze(generic(PROBE_NAME, PROBE_SET));
  const metadata = probe.metadata as Record<string, unknown> | undefined;
  const spec = probe.spec as Record<string, unknown> | undefined;
  if (!isPlainObject(metadata) || !isPlainObject(spec) || metadata.name !== PROBE_NAME || spec.targetSet !== PROBE_SET) return slow;
  const labels = metadata.labels as Record<string, unknown> | undefined;
  if (!isPlainObject(labels) || labels[nameLabel] !== PROBE_NAME) return slow;
  // Nowhere else, in a key or a value, whole or in part: then those three are all a device changes.
  const text = JSON.stringify(probe);
  if (text.split(PROBE_NAME).length !== 3 || text.split(PROBE_SET).length !== 2) return slow;
  const topKeys = Object.keys(probe);
  const metadataKeys = Object.keys(metadata);
  const labelKeys = Object.keys(labels);
  const specKeys = Object.keys(spec);
  // Each request's JSON text, put together for the synth's sizes and digests (lib/core/object-digest.ts JsonTemplate);
  // checked once against JSON.stringify of the first request made, and not used if they differ.
  let template = JsonTemplate.of(probe, [PROBE_NAME, PROBE_SET]);
  let checked = false;
  return (name, targetSet) => {
    if (typeof name !== 'string' || typeof targetSet !== 'string') return slow(name, targetSet);
    const l: Record<string, unknown> = {};
    for (const k of labelKeys) l[k] = k === nameLabel ? name : labels[k];
    const m: Record<string, unknown> = {};
    for (const k of metadataKeys) m[k] = k === 'name' ? name : k === 'labels' ? Object.freeze(l) : shallowCopy(metadata[k]);
    const s: Record<string, unknown> = {};
    for (const k of specKeys) s[k] = k === 'targetSet' ? targetSet : spec[k];
    const out: Record<string, unknown> = {};
    for (const k of topKeys) out[k] = k === 'metadata' ? Object.freeze(m) : k === 'spec' ? Object.freeze(s) : probe[k];
    Object.freeze(out);
    if (template !== undefined) {
      const values = [name, targetSet];
      if (!checked) {
        checked = true;
        if (JSON.stringify(out) !== template.text(values)) template = undefined;
      }
      template?.mark(out, values);
    }
    return out;
  };
}

/**
 * A metadata value of the probe for one more request: an object (the annotations) copied, so that no two requests
 * share one (a YAML writer may alias an object it meets twice); what it holds is the probe's, frozen.
 */
function shallowCopy(v: unknown): unknown {
  if (Array.isArray(v)) return Object.freeze([...v]);
  if (!isPlainObject(v)) return v;
  // Assigned key by key, as the generic render fills an object.
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = v[k];
  return Object.freeze(out);
}
