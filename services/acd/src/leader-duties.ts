import { startBackgroundLoop, type BackgroundLoop, type Leadership, type Logger } from "@handoff/runtime";
import type { OutboxRelay } from "./events/outbox-relay";
import type { TimerSweeper } from "./timers/timer-sweeper";

/**
 * The work exactly one replica does at a time: firing deadlines and relaying the outbox to Kafka.
 * Starts when this replica becomes leader and stops when it loses the lease.
 */
export function runLeaderDuties(
  leadership: Leadership,
  duties: { relay: OutboxRelay; sweeper: TimerSweeper },
  logger: Logger,
): { stop(): Promise<void> } {
  let loops: BackgroundLoop[] = [];
  let change = Promise.resolve();
  const stopLoops = async () => {
    const running = loops;
    loops = [];
    await Promise.all(running.map((loop) => loop.stop()));
  };
  leadership.onChange((leader) => {
    change = change.then(async () => {
      await stopLoops();
      if (!leader) return logger.info("lost leadership: timers and outbox relay stopped");
      logger.info("became leader: firing timers and relaying the outbox");
      loops = [
        startBackgroundLoop("timer-sweeper", logger, () => duties.sweeper.sweep()),
        startBackgroundLoop("outbox-relay", logger, () => duties.relay.relayAll()),
      ];
    });
  });
  return {
    stop: async () => {
      await change;
      await stopLoops();
    },
  };
}
