/** Something whose view can be read again (a waiting customer's position and estimate). */
export interface Refreshable {
  refresh(): Promise<void>;
}

/**
 * Refreshes asked for, run at most `concurrency` at once, each item at most once at a time: asking
 * again for an item that is due changes nothing, and for one being refreshed runs it once more after
 * (the read in flight may predate the change that asked). So a burst of queue events costs one read
 * per waiting customer, not one per event, and the acd sees a bounded number of reads in flight.
 */
export class RefreshQueue<T extends Refreshable> {
  private readonly due = new Set<T>();
  private readonly inFlight = new Set<T>();
  private readonly again = new Set<T>();

  constructor(
    private readonly concurrency: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  request(item: T): void {
    if (this.inFlight.has(item)) this.again.add(item);
    else this.due.add(item);
    this.pump();
  }

  /** A finished stream asks for nothing more. */
  forget(item: T): void {
    this.due.delete(item);
    this.again.delete(item);
  }

  private pump(): void {
    while (this.inFlight.size < this.concurrency) {
      const item = this.due.values().next();
      if (item.done) return;
      this.due.delete(item.value);
      this.run(item.value);
    }
  }

  private run(item: T): void {
    this.inFlight.add(item);
    item
      .refresh()
      .catch(this.onError)
      .finally(() => {
        this.inFlight.delete(item);
        if (this.again.delete(item)) this.due.add(item);
        this.pump();
      });
  }
}
