import { randomUUID } from "node:crypto";
import { infrastructureEnv } from "./infrastructure-env";
import { startService, type ServiceProcess } from "./service-process";
import { SessionStack } from "./session-stack";
import { newSiteId } from "./site-fixtures";
import { testIssuer, type TestIssuer } from "./test-issuer";

/** A start waits this long: CI runs several stacks at once on two cores. */
const START_TIMEOUT_MS = 60_000;

/** The admin listener's URL, from the port intake logs (it listens on port 0 in tests). */
function adminUrlOf(intake: ServiceProcess): string {
  const listening = intake.output.find((line) => line.includes('"adminHttpPort"'));
  const { adminHttpPort } = JSON.parse(listening ?? "{}") as { adminHttpPort?: number };
  if (!adminHttpPort) throw new Error(`intake logged no admin port:\n${intake.output.join("\n")}`);
  return `http://127.0.0.1:${adminHttpPort}`;
}

export interface IntakeStackOptions {
  /** Extra settings for every broker replica (e.g. an agent token issuer's). */
  brokerEnv?: Record<string, string>;
  /** Extra settings for the acd (e.g. a small `MAX_WAITING_PER_TEAM`). */
  acdEnv?: Record<string, string>;
  /** Extra settings for intake. */
  intakeEnv?: Record<string, string>;
}

/**
 * The real acd, presence and session-broker (SessionStack) and intake, as child processes on the test
 * infrastructure. Sites are configured through intake's admin API, as their admins would: `site` puts
 * a routing config (forwarded to the acd) and a portal config (bodies as services/intake/README.md
 * gives them).
 */
export class IntakeStack {
  private readonly versions = new Map<string, number>();
  /** Replicas started by `addIntake`, stopped with the stack. */
  private readonly replicas: ServiceProcess[] = [];
  /** The admin API of every replica, this stack's first. */
  readonly adminUrls: string[] = [];

  private constructor(
    readonly sessions: SessionStack,
    readonly intake: ServiceProcess,
    readonly adminIssuer: TestIssuer,
    /** intake's public port: the portal API, the widget, the demo page. */
    readonly publicUrl: string,
    readonly adminUrl: string,
    private readonly intakeEnv: Record<string, string>,
  ) {}

  static async start(options: IntakeStackOptions = {}): Promise<IntakeStack> {
    const sessions = await SessionStack.start({ brokerEnv: options.brokerEnv, acdEnv: options.acdEnv });
    const adminIssuer = await testIssuer("ADMIN");
    const { DATABASE_URL, KAFKA_BROKERS, REDIS_URL } = infrastructureEnv();
    const intakeEnv = {
      DATABASE_URL,
      KAFKA_BROKERS,
      REDIS_URL,
      // Stacks share the test Redis: each counts its rate limits and stream claims apart.
      REDIS_KEY_PREFIX: `intake-${randomUUID().slice(0, 8)}`,
      SESSION_BROKER_ADDRESS: `127.0.0.1:${sessions.brokers[0]!.process.grpcPort}`,
      ACD_ADDRESS: `127.0.0.1:${sessions.acdProcess.grpcPort}`,
      PRESENCE_ADDRESS: `127.0.0.1:${sessions.presenceProcess.grpcPort}`,
      ADMIN_HTTP_PORT: "0",
      RATE_LIMIT_PER_MINUTE: "100000",
      ...adminIssuer.env,
      ...options.intakeEnv,
    };
    const intake = await startService("intake", intakeEnv, START_TIMEOUT_MS);
    const stack = new IntakeStack(
      sessions,
      intake,
      adminIssuer,
      `http://127.0.0.1:${intake.httpPort}`,
      adminUrlOf(intake),
      intakeEnv,
    );
    stack.adminUrls.push(stack.adminUrl);
    return stack;
  }

  /** Another intake replica with the same settings (same Redis key prefix); its public URL. */
  async addIntake(): Promise<string> {
    const replica = await startService("intake", this.intakeEnv, START_TIMEOUT_MS);
    this.replicas.push(replica);
    this.adminUrls.push(adminUrlOf(replica));
    return `http://127.0.0.1:${replica.httpPort}`;
  }

  /** A token of an admin of the site. */
  adminToken(siteId: string, adminId = "ada"): Promise<string> {
    return this.adminIssuer.token(siteId, adminId, ["admin"]);
  }

  private async adminPut(siteId: string, path: string, body: unknown): Promise<void> {
    const token = await this.adminToken(siteId);
    const response = await fetch(`${this.adminUrl}${path}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  }

  /** A site (new unless `siteId` is given) with this routing config (acd) and its first portal config. */
  async site(routing: unknown, portal: unknown, siteId = newSiteId()): Promise<string> {
    await this.adminPut(siteId, "/v1/admin/routing-config", routing);
    await this.adminPut(siteId, "/v1/admin/portal-config", { expectedVersion: 0, config: portal });
    this.versions.set(siteId, 1);
    return siteId;
  }

  /** The next version of the site's portal config. */
  async updatePortal(siteId: string, portal: unknown): Promise<void> {
    const version = this.versions.get(siteId) ?? 0;
    await this.adminPut(siteId, "/v1/admin/portal-config", { expectedVersion: version, config: portal });
    this.versions.set(siteId, version + 1);
  }

  async stop(): Promise<void> {
    for (const replica of this.replicas.splice(0)) await replica.stop();
    await this.intake.stop();
    await this.sessions.stop();
  }
}
