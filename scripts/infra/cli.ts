import { startInfrastructure, type InfrastructureEnv, type InfrastructureOptions } from "./index.ts";

export interface RunInfrastructureOptions extends InfrastructureOptions {
  /**
   * Called once the infrastructure is up (e.g. by scripts/start-all to start the services with
   * `env` merged into theirs). What it returns is called on shutdown, before the infrastructure
   * stops.
   */
  onReady?: (env: InfrastructureEnv) => Promise<(() => Promise<void>) | void> | (() => Promise<void>) | void;
}

/**
 * Starts the infrastructure, runs `onReady`, then waits for SIGINT or SIGTERM and stops
 * everything in reverse order. A second signal exits at once; the reapers then kill what is left.
 */
export async function runInfrastructure(options: RunInfrastructureOptions = {}): Promise<void> {
  const infrastructure = await startInfrastructure(options);
  let stopServices: (() => Promise<void>) | void = undefined;
  try {
    stopServices = await options.onReady?.(infrastructure.env);
  } catch (error) {
    await infrastructure.stop();
    throw error;
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    // The interval keeps the event loop (and this process) alive until a signal arrives.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    let received: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received !== undefined) process.exit(signal === "SIGINT" ? 130 : 143);
      received = signal;
      clearInterval(keepAlive);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  options.log?.(`${signal}: stopping`);
  try {
    if (stopServices) await stopServices();
  } finally {
    await infrastructure.stop();
  }
}

/** Shell lines that point a service or a test run at the running infrastructure. */
export function exportLines(env: InfrastructureEnv): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${String(value)}`)
    .join("\n");
}

// `node scripts/infra/cli.ts [--redis-cluster]`: start everything, print the variables, wait for Ctrl-C.
if (import.meta.main) {
  const log = (line: string): void => console.error(`[infra] ${line}`);
  try {
    await runInfrastructure({
      redisCluster: process.argv.includes("--redis-cluster"),
      log,
      onReady: (env) => {
        console.log(exportLines(env));
        log("ready; Ctrl-C to stop");
      },
    });
    log("stopped");
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
