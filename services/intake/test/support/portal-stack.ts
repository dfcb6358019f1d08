import { IntakeStack, type SessionStack } from "@handoff/testing";
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
 * The real services with intake (`IntakeStack` of @handoff/testing: sites configured through intake's
 * admin API), plus what the portal tests do as a customer: calls of the public API and live streams.
 */
export class PortalStack {
  private constructor(private readonly stack: IntakeStack) {}

  static async start(
    intakeEnv: Record<string, string> = {},
    brokerEnv: Record<string, string> = {},
    acdEnv: Record<string, string> = {},
  ): Promise<PortalStack> {
    return new PortalStack(await IntakeStack.start({ intakeEnv, brokerEnv, acdEnv }));
  }

  /** The broker's agent API (HTTP and the reps' socket). */
  get agentUrl(): string {
    return `http://127.0.0.1:${this.stack.sessions.brokers[0]!.process.httpPort}`;
  }

  get sessions(): SessionStack {
    return this.stack.sessions;
  }

  get publicUrl(): string {
    return this.stack.publicUrl;
  }

  /** Starts another intake replica sharing this one's settings and Redis key prefix; its public URL. */
  addIntake(): Promise<string> {
    return this.stack.addIntake();
  }

  /** The admin API of every replica started so far, the first one's first. */
  get adminUrls(): readonly string[] {
    return this.stack.adminUrls;
  }

  /** A token of an admin of the site. */
  adminToken(siteId: string, adminId?: string): Promise<string> {
    return this.stack.adminToken(siteId, adminId);
  }

  /** A new site with this routing (acd) and portal config, as its admin writes them. */
  site(routing: RoutingConfigBody, portal: PortalConfigInput): Promise<string> {
    return this.stack.site(routing, portal);
  }

  /** A new version of the site's portal config. */
  updatePortal(siteId: string, portal: PortalConfigInput): Promise<void> {
    return this.stack.updatePortal(siteId, portal);
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

  stop(): Promise<void> {
    return this.stack.stop();
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
