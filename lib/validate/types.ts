import { KubeObject } from '../core/kube-object';

/** One object to validate, with where it lives. */
export interface Entry {
  /** File the object is (or will be) written to, as shown in messages, e.g. `dist/hub/energy/daemonset-kepler.yaml`. */
  readonly file: string;
  /** Cluster the object belongs to (the first folder under the output root). */
  readonly cluster: string;
  readonly object: KubeObject;
}

/** A problem in one object: file, JSON pointer into the object, message. */
export interface Finding {
  readonly file: string;
  readonly pointer: string;
  readonly message: string;
}
