/**
 * A process-wide switch that is off while some call runs: the reference synths of the reuse caches (chart-reuse,
 * interning, flow verdicts) turn theirs off around a synth. Calls nest, and the switch is back on however they end.
 */
export class OffSwitch {
  private depth = 0;

  /** Whether no `off` call is running. */
  public get on(): boolean {
    return this.depth === 0;
  }

  /** Runs `f` with the switch off. */
  public off<T>(f: () => T): T {
    this.depth++;
    try {
      return f();
    } finally {
      this.depth--;
    }
  }
}
