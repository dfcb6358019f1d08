import type { Logger } from "pino";

export interface ShutdownStep {
  name: string;
  run(): Promise<void>;
}

/**
 * On SIGTERM or SIGINT runs the steps in order (stop accepting and drain first, close clients
 * after) and exits 0; if they take longer than `timeoutMs` it exits 1 so the orchestrator knows
 * the drain was cut short.
 */
export function installShutdown(logger: Logger, timeoutMs: number, steps: ShutdownStep[]): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out");
      process.exit(1);
    }, timeoutMs).unref();
    for (const step of steps) {
      const started = performance.now();
      try {
        await step.run();
      } catch (error) {
        logger.warn({ err: error, step: step.name }, "shutdown step failed");
      }
      // What a long drain waited for: each step's time is in the log.
      logger.info({ step: step.name, ms: Math.round(performance.now() - started) }, "shutdown step done");
    }
    logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", (s) => void stop(s));
  process.once("SIGINT", (s) => void stop(s));
}
