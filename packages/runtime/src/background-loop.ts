import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";

export interface BackgroundLoop {
  /** Lets the running iteration finish, then stops. */
  stop(): Promise<void>;
}

/** @default 500 */
const BACKOFF_AFTER_ERROR_MS = 500;

/**
 * Runs `iterate` again and again until stopped; each call returns how many ms to wait before the
 * next. A failing iteration is logged and retried after a back-off, never silently dropped.
 */
export function startBackgroundLoop(name: string, logger: Logger, iterate: () => Promise<number>): BackgroundLoop {
  const controller = new AbortController();
  const done = (async () => {
    while (!controller.signal.aborted) {
      let waitMs: number;
      try {
        waitMs = await iterate();
      } catch (error) {
        logger.error({ err: error, loop: name }, "background loop iteration failed");
        waitMs = BACKOFF_AFTER_ERROR_MS;
      }
      if (waitMs > 0) await sleep(waitMs, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  })();
  return {
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}
