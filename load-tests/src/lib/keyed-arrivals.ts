/**
 * Things that arrive by key (an offer by session id) and are taken by whoever waits for that key. A
 * thing may arrive before anyone waits (an offer can beat the answer that names its session), so
 * arrivals nobody waited for are kept, at most `keep` at a time (the oldest go first and are counted).
 */
export class KeyedArrivals<T> {
  private readonly arrived = new Map<string, T>();
  private readonly waiters = new Map<string, (value: T | undefined) => void>();
  private readonly anyWaiters: ((value: T | undefined) => void)[] = [];
  received = 0;
  dropped = 0;

  constructor(private readonly keep = 100_000) {}

  /** Arrivals nobody has taken (yet). */
  get unclaimed(): number {
    return this.arrived.size;
  }

  put(key: string, value: T): void {
    this.received++;
    const waiter = this.waiters.get(key);
    if (waiter) {
      this.waiters.delete(key);
      waiter(value);
      return;
    }
    const anyWaiter = this.anyWaiters.shift();
    if (anyWaiter) {
      anyWaiter(value);
      return;
    }
    this.arrived.set(key, value);
    if (this.arrived.size > this.keep) {
      this.arrived.delete(this.arrived.keys().next().value!);
      this.dropped++;
    }
  }

  /** The key's arrival (perhaps already there), or undefined after `timeoutMs`. */
  take(key: string, timeoutMs: number): Promise<T | undefined> {
    const early = this.arrived.get(key);
    if (early !== undefined) {
      this.arrived.delete(key);
      return Promise.resolve(early);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(key, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  }

  /**
   * The oldest arrival nobody has taken, whatever its key (perhaps already there), or undefined
   * after `timeoutMs`: for a rep who serves whatever he is offered next.
   */
  takeNext(timeoutMs: number): Promise<T | undefined> {
    const oldest = this.arrived.entries().next();
    if (!oldest.done) {
      this.arrived.delete(oldest.value[0]);
      return Promise.resolve(oldest.value[1]);
    }
    return new Promise((resolve) => {
      const waiter = (value: T | undefined) => {
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.anyWaiters.splice(this.anyWaiters.indexOf(waiter), 1);
        resolve(undefined);
      }, timeoutMs);
      this.anyWaiters.push(waiter);
    });
  }

  /** Every waiter gets undefined. */
  close(): void {
    for (const waiter of this.waiters.values()) waiter(undefined);
    this.waiters.clear();
    for (const waiter of this.anyWaiters.splice(0)) waiter(undefined);
  }
}
