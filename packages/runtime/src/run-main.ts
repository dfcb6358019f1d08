import { ConfigInvalidError } from "./config/load-config";

/**
 * Runs a service's start-up; any failure (a bad setting, an unreachable dependency) is printed as
 * one line on stderr and the process exits 1, so orchestrators and operators see why.
 */
export function runMain(service: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    const reason =
      error instanceof ConfigInvalidError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`${service}: failed to start: ${reason}\n`);
    process.exit(1);
  });
}
