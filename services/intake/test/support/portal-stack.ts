import {
  newSiteId,
  SessionStack,
  startService,
  testIssuer,
  type ServiceProcess,
  type TestIssuer,
} from "@handoff/testing";
import { infrastructureEnv } from "@handoff/testing";
import type { RoutingConfigBody } from "../../src/admin/routing-config-json";
import type { PortalConfigInput } from "../../src/domain/portal-config";
import type { startedSession } from "../../src/portal/portal-schemas";
import type { z } from "zod";

export type StartedSession = z.infer<typeof startedSession>;

/** Retries `check` until it passes or `timeoutMs` is over (offers reach the broker through Kafka). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface PortalResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many shapes; each test checks its own
  body: any;
}

/**
 * A real acd, presence and session-broker (SessionStack) and intake (child processes) on the test
 * infrastructure; sites are configured through intake's admin API as their admins would.
 */
export class PortalStack {
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly sessions: SessionStack,
    readonly intake: ServiceProcess,
    readonly issuer: TestIssuer,
    readonly publicUrl: string,
    readonly adminUrl: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<PortalStack> {
    const sessions = await SessionStack.start();
    const issuer = await testIssuer("ADMIN");
    const intake = await startService(
      "intake",
      {
        DATABASE_URL: infrastructureEnv().DATABASE_URL,
        SESSION_BROKER_ADDRESS: `127.0.0.1:${sessions.brokers[0]!.process.grpcPort}`,
        ACD_ADDRESS: `127.0.0.1:${sessions.acdProcess.grpcPort}`,
        PRESENCE_ADDRESS: `127.0.0.1:${sessions.presenceProcess.grpcPort}`,
        ADMIN_HTTP_PORT: "0",
        RATE_LIMIT_PER_MINUTE: "100000",
        POSITION_POLL_MS: "300",
        ...issuer.env,
        ...env,
      },
      60_000,
    );
    const listening = intake.output.find((line) => line.includes('"adminHttpPort"'));
    const { adminHttpPort } = JSON.parse(listening ?? "{}") as { adminHttpPort?: number };
    return new PortalStack(
      sessions,
      intake,
      issuer,
      `http://127.0.0.1:${intake.httpPort}`,
      `http://127.0.0.1:${adminHttpPort}`,
    );
  }

  /** A new site with this routing (acd) and portal config, as its admin writes them. */
  async site(routing: RoutingConfigBody, portal: PortalConfigInput): Promise<string> {
    const siteId = newSiteId();
    const token = await this.issuer.token(siteId, "ada", ["admin"]);
    for (const [path, body] of [
      ["/v1/admin/routing-config", routing],
      ["/v1/admin/portal-config", { expectedVersion: 0, config: portal }],
    ] as const) {
      const response = await fetch(`${this.adminUrl}${path}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    }
    this.versions.set(siteId, 1);
    return siteId;
  }

  /** A new version of the site's portal config. */
  async updatePortal(siteId: string, portal: PortalConfigInput): Promise<void> {
    const token = await this.issuer.token(siteId, "ada", ["admin"]);
    const response = await fetch(`${this.adminUrl}/v1/admin/portal-config`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ expectedVersion: this.versions.get(siteId) ?? 0, config: portal }),
    });
    if (response.status !== 200) throw new Error(`portal config: ${response.status} ${await response.text()}`);
    this.versions.set(siteId, (this.versions.get(siteId) ?? 0) + 1);
  }

  async call(
    method: "GET" | "POST" | "OPTIONS",
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<PortalResponse> {
    const response = await fetch(`${this.publicUrl}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === "string"
            ? options.body
            : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : {} };
  }

  /** Starts a session that must start (201) and returns the answer. */
  async startSession(siteId: string, body: unknown): Promise<StartedSession> {
    const answer = await this.call("POST", `/v1/sites/${siteId}/sessions`, { body });
    if (answer.status !== 201) throw new Error(`start: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as StartedSession;
  }

  /** The customer's live stream of a session he started. */
  stream(siteId: string, session: StartedSession, lastEventId?: string): Promise<StreamReader> {
    const url = `${this.publicUrl}/v1/sites/${siteId}/sessions/${session.sessionId}/events`;
    return StreamReader.open(url, session.customerToken, lastEventId);
  }

  async stop(): Promise<void> {
    await this.intake.stop();
    await this.sessions.stop();
  }
}

/** One Server-Sent Event as the widget reads it. */
export interface ReadFrame {
  id?: string;
  event: string;
  data: Record<string, unknown>;
}

/**
 * A customer's live stream read with fetch streaming (the token in the Authorization header, as the
 * widget does): frames arrive in `frames`; `next` waits for one that matches.
 */
export class StreamReader {
  readonly frames: ReadFrame[] = [];
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];
  ended = false;

  static async open(url: string, token: string, lastEventId?: string): Promise<StreamReader> {
    const reader = new StreamReader();
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
      signal: reader.abort.signal,
    });
    if (response.status !== 200) throw new Error(`stream: ${response.status} ${await response.text()}`);
    void reader.pump(response);
    return reader;
  }

  private async pump(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: Partial<ReadFrame> = {};
          for (const line of block.split("\n")) {
            if (line.startsWith("id: ")) frame.id = line.slice(4);
            else if (line.startsWith("event: ")) frame.event = line.slice(7);
            else if (line.startsWith("data: ")) frame.data = JSON.parse(line.slice(6)) as Record<string, unknown>;
          }
          if (frame.event) this.frames.push(frame as ReadFrame);
        }
        for (const wake of this.waiters.splice(0)) wake();
      }
    } catch {
      // aborted
    }
    this.ended = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The first frame after index `from` that matches, waiting up to `timeoutMs`. */
  async next(match: (f: ReadFrame) => boolean, timeoutMs = 15_000, from = 0): Promise<ReadFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended without the frame; got ${JSON.stringify(this.frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  close(): void {
    this.abort.abort();
  }
}
