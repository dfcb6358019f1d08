import { randomUUID } from "node:crypto";
import type { problemBodySchema } from "@handoff/runtime";
import type { z } from "zod";
import type * as schemas from "../../src/admin/admin-schemas";
import type { routingConfigView } from "../../src/admin/routing-config-json";
import {
  infrastructureEnv,
  newSiteId,
  startService,
  testIssuer,
  type ServiceProcess,
  type TestIssuer,
} from "@handoff/testing";

/** Every field any answer of the admin API may hold (a problem body's too), all optional. */
export type AdminBody = Partial<
  z.infer<typeof problemBodySchema> &
    z.infer<typeof schemas.portalConfigView> &
    z.infer<typeof schemas.historyResponse> &
    z.infer<typeof schemas.siteRetiredView> &
    z.infer<typeof routingConfigView> & { sessions: number }
>;

export interface AdminResponse {
  status: number;
  contentType: string;
  etag: string | null;
  body: AdminBody;
}

/**
 * A real acd and intake (child processes) on the test infrastructure, intake trusting a test issuer
 * for its admin API; the broker is not needed (intake's readiness only waits for it). Presence runs
 * too when asked (retiring a site, the portal's rep list).
 */
export class AdminStack {
  private constructor(
    readonly acd: ServiceProcess,
    readonly presence: ServiceProcess | undefined,
    readonly intake: ServiceProcess,
    readonly issuer: TestIssuer,
    readonly adminUrl: string,
  ) {}

  static async start(options: { presence?: boolean } = {}): Promise<AdminStack> {
    const { REDIS_URL, KAFKA_BROKERS, DATABASE_URL } = infrastructureEnv();
    const acd = await startService("acd", { REDIS_URL, KAFKA_BROKERS }, 60_000);
    const acdAddress = `127.0.0.1:${acd.grpcPort}`;
    const presence = options.presence
      ? await startService("presence", { REDIS_URL, KAFKA_BROKERS, ACD_ADDRESS: acdAddress }, 60_000)
      : undefined;
    const issuer = await testIssuer("ADMIN");
    const intake = await startService("intake", {
      DATABASE_URL,
      // Only the public portal calls the broker (and presence, without a retirement), and lazily.
      KAFKA_BROKERS,
      REDIS_URL,
      REDIS_KEY_PREFIX: `intake-${randomUUID().slice(0, 8)}`,
      SESSION_BROKER_ADDRESS: "127.0.0.1:1",
      PRESENCE_ADDRESS: presence ? `127.0.0.1:${presence.grpcPort}` : "127.0.0.1:1",
      ACD_ADDRESS: acdAddress,
      ADMIN_HTTP_PORT: "0",
      ...issuer.env,
    });
    const listening = intake.output.find((line) => line.includes('"adminHttpPort"'));
    const { adminHttpPort } = JSON.parse(listening ?? "{}") as { adminHttpPort?: number };
    if (!adminHttpPort) throw new Error(`intake logged no admin port:\n${intake.output.join("\n")}`);
    return new AdminStack(acd, presence, intake, issuer, `http://127.0.0.1:${adminHttpPort}`);
  }

  /** A new site and a token of its admin. */
  async site(): Promise<{ siteId: string; token: string }> {
    const siteId = newSiteId();
    return { siteId, token: await this.issuer.token(siteId, "ada", ["admin"]) };
  }

  async call(
    method: "GET" | "PUT" | "DELETE",
    path: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<AdminResponse> {
    const response = await fetch(`${this.adminUrl}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      etag: response.headers.get("etag"),
      body: text ? (JSON.parse(text) as AdminBody) : {},
    };
  }

  async stop(): Promise<void> {
    await this.intake.stop();
    await this.presence?.stop();
    await this.acd.stop();
  }
}
