import * as v8 from 'v8';
import * as vm from 'vm';

let gc: (() => void) | null | undefined;

/**
 * From how many objects a synth collects garbage where it pays: before the gates when they check this many objects
 * afresh (synthToDir), and before building the charts of a stack this large (synthesizeManifests).
 */
export const COLLECT_FROM_OBJECTS = 50_000;

/**
 * The heap's used size from which a large warm build (charts reused from a last synth) collects first what the last
 * synths left. A warm synth at 100,000 devices holds ~280-330 MiB live and leaves ~130-150 MiB of garbage (the
 * lists and maps of its gates, which live as long as the synth and so are promoted); V8 left it there: with no
 * forced collection in three warm synths in a row the heap's used size before the gates went 561, 723, 855 MiB and
 * the process's peak RSS to 1.2 GiB. Under this budget a warm synth pays no collection (~0.3-0.45 s paused at
 * 100,000 devices); over it, the garbage of the synths before goes first. So in a loop of one-device changes at
 * 100,000 devices every other synth collects (the first after a full synth starts at ~440-460 MiB), and the process
 * peaked at 924-947 MiB over the bench's tier (bench/size.ts) against 890-902 MiB with a collection in every synth.
 */
export const HEAP_BUDGET_BYTES = 512 * 2 ** 20;

/** The heap's used size now, in bytes (v8.getHeapStatistics; a few microseconds). */
export function usedHeapBytes(): number {
  return v8.getHeapStatistics().used_heap_size;
}

/**
 * Whether a build of `expected` objects collects first: only a large one, and then when it builds every chart
 * (nothing kept from a last synth: what a last synth in this process left and this build would add up; a second
 * full synth of 100,000 devices in one process peaked at 1,050 MiB against 761 MiB for the first), or when the heap
 * (`heapUsed` bytes used, usedHeapBytes) is over HEAP_BUDGET_BYTES.
 */
export function collectsBeforeBuild(expected: number, warm: boolean, heapUsed: number): boolean {
  return expected >= COLLECT_FROM_OBJECTS && (!warm || heapUsed >= HEAP_BUDGET_BYTES);
}

/**
 * Whether a synth collects between building the charts and the gates, which check `fresh` objects afresh (those
 * the validation cache does not list as passed): when they are COLLECT_FROM_OBJECTS or more. The construct trees
 * and cdk8s intermediates of every chart are garbage by then, and V8 would otherwise carry them into the gates' own
 * allocations: at 100,000 devices the synth's peak RSS went from ~1,070-1,100 MiB to 828-897 MiB for ~0.3-0.4 s.
 * Gates that check few objects afresh (a one-device change) allocate little, and the next warm build collects when
 * the heap is over the budget (collectsBeforeBuild).
 */
export function collectsBeforeGates(fresh: number): boolean {
  return fresh >= COLLECT_FROM_OBJECTS;
}

/**
 * A full garbage collection, where the runtime allows one (see collectsBeforeBuild, collectsBeforeGates). `gc` is
 * only reachable with --expose-gc; setting the flag at run time exposes it to new contexts.
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
