import type { Logger } from "../logging/logger";

/**
 * This replica's view of whether it leads. Leadership is a lease: a leader that stalls (GC pause, lost
 * network) may still believe it leads for a moment after another took over, so work done as leader must
 * stay safe if done twice (idempotent scripts, fencing tokens); leadership only keeps it from being done
 * by every replica at once.
 */
export interface Leadership {
  readonly isLeader: boolean;
  /** Called on every change, in order; a listener that throws is logged and the others still run. */
  onChange(listener: (leader: boolean) => void): void;
  /** Stops competing and releases the lock or lease if held, so another replica takes over at once. */
  stop(): Promise<void>;
}

/** The flag and its listeners, shared by the Redis and the Kubernetes implementations. */
export class LeadershipState {
  #leader = false;
  readonly #listeners: ((leader: boolean) => void)[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly context: Record<string, unknown>,
  ) {}

  get isLeader(): boolean {
    return this.#leader;
  }

  onChange(listener: (leader: boolean) => void): void {
    this.#listeners.push(listener);
  }

  set(leader: boolean, reason: string): void {
    if (leader === this.#leader) return;
    this.#leader = leader;
    this.logger.info({ ...this.context, leader, reason }, leader ? "became leader" : "no longer leader");
    for (const listener of this.#listeners) {
      try {
        listener(leader);
      } catch (error) {
        this.logger.error({ ...this.context, err: error }, "leadership listener failed");
      }
    }
  }
}

/** Resolves with the promise's value, or with `fallback` once `ms` have passed. */
export function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
