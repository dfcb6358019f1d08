import { startBackgroundLoop, type BackgroundLoop } from "../background-loop";
import type { Logger } from "../logging/logger";
import type { Leadership } from "./leadership";

/** A job only one replica may run at a time; `iterate` returns the ms to wait before its next run. */
export interface LeaderDuty {
  name: string;
  iterate(): Promise<number>;
}

/**
 * Runs the duties as background loops while this replica leads, and stops them (letting the running
 * iteration finish) as soon as it does not.
 */
export function runLeaderDuties(
  leadership: Leadership,
  duties: readonly LeaderDuty[],
  logger: Logger,
): { stop(): Promise<void> } {
  let loops: BackgroundLoop[] = [];
  let change = Promise.resolve();
  const names = duties.map((d) => d.name);
  const stopLoops = async () => {
    const running = loops;
    loops = [];
    await Promise.all(running.map((loop) => loop.stop()));
  };
  leadership.onChange((leader) => {
    change = change.then(async () => {
      await stopLoops();
      if (!leader) return logger.info({ duties: names }, "lost leadership: leader duties stopped");
      logger.info({ duties: names }, "became leader: running leader duties");
      loops = duties.map((duty) => startBackgroundLoop(duty.name, logger, () => duty.iterate()));
    });
  });
  return {
    stop: async () => {
      await change;
      await stopLoops();
    },
  };
}
