/**
 * Counts the open server streams of each caller identity on this process, so no one caller can hold an
 * unbounded number (issue 11: "open streams per identity"). A stream is counted from `tryOpen` until
 * its release runs (once, whatever ends it).
 */
export class StreamsPerCaller {
  private readonly open = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Counts one more stream of `caller`: its release, or undefined when the caller holds `limit` already. */
  tryOpen(caller: string): (() => void) | undefined {
    const count = this.open.get(caller) ?? 0;
    if (count >= this.limit) return undefined;
    this.open.set(caller, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(caller) ?? 1) - 1;
      if (left > 0) this.open.set(caller, left);
      else this.open.delete(caller);
    };
  }

  /** Streams `caller` holds open now. */
  count(caller: string): number {
    return this.open.get(caller) ?? 0;
  }
}
