import {
  connectAcd,
  connectPresence,
  infrastructureEnv,
  startService,
  type Acd,
  type Presence,
  type ServiceProcess,
} from "@handoff/testing";

/** A real acd and a real presence (child processes) on the test infrastructure. */
export class PresenceStack {
  private constructor(
    readonly acdProcess: ServiceProcess,
    readonly acd: Acd,
    private readonly presenceEnv: Record<string, string>,
    public presenceProcess: ServiceProcess,
    public presence: Presence,
  ) {}

  /** `env` adds presence settings such as HEARTBEAT_INTERVAL_MS. */
  static async start(env: Record<string, string> = {}): Promise<PresenceStack> {
    const { REDIS_URL, KAFKA_BROKERS } = infrastructureEnv();
    const acdProcess = await startService("acd", { REDIS_URL, KAFKA_BROKERS });
    const presenceEnv = { REDIS_URL, KAFKA_BROKERS, ACD_ADDRESS: `127.0.0.1:${acdProcess.grpcPort}`, ...env };
    const presenceProcess = await startService("presence", presenceEnv);
    return new PresenceStack(
      acdProcess,
      connectAcd(`127.0.0.1:${acdProcess.grpcPort}`),
      presenceEnv,
      presenceProcess,
      connectPresence(`127.0.0.1:${presenceProcess.grpcPort}`),
    );
  }

  /**
   * Stops presence with `signal` and starts a new process with the same settings; returns how long
   * the new process took until it listened.
   */
  async restartPresence(signal: NodeJS.Signals, startTimeoutMs = 30_000): Promise<{ startMs: number }> {
    this.presence.close();
    await this.presenceProcess.stop(signal);
    const started = Date.now();
    this.presenceProcess = await startService("presence", this.presenceEnv, startTimeoutMs);
    this.presence = connectPresence(`127.0.0.1:${this.presenceProcess.grpcPort}`);
    return { startMs: Date.now() - started };
  }

  async stop(): Promise<void> {
    this.presence.close();
    this.acd.close();
    await this.presenceProcess.stop();
    await this.acdProcess.stop();
  }
}
