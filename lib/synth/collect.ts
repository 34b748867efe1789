import * as v8 from 'v8';
import * as vm from 'vm';

let gc: (() => void) | null | undefined;

/**
 * From how many objects a synth collects garbage where it pays: between building the charts and the gates
 * (synthToDir), and before building every chart again (synthesizeManifests).
 */
export const COLLECT_FROM_OBJECTS = 50_000;

/**
 * A full garbage collection, where the runtime allows one. synthToDir runs it once, between building the
 * charts and the gates, for a stack of 50,000 objects or more: the construct trees and cdk8s intermediates of
 * every chart are garbage by then, and V8 would otherwise carry them into the gates' own allocations. At
 * 100,000 devices the live heap there is ~230 MB of ~540 MB, and the synth's peak RSS went from
 * ~1,070-1,100 MiB to 828-897 MiB for ~0.3 s. (`gc` is only reachable with --expose-gc; setting the flag at
 * run time exposes it to new contexts.)
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
