import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { PortalView, StartedSession } from "../../src/frame/portal-client";

export const WIDGET_DIST = path.resolve(__dirname, "..", "..", "dist");

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".html": "text/html; charset=utf-8",
};
/** As intake sends it (services/intake/src/widget-assets.ts): self only, framed by anyone in this fixture. */
const FRAME_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

export interface RecordedCall {
  method: string;
  path: string;
  authorization?: string;
  body: unknown;
}

/** A scripted answer to a start: status and body. */
export type StartAnswer = { status: number; body: unknown };

export const fixtureView = (overrides: Partial<PortalView> = {}): PortalView => ({
  siteId: "fixture",
  open: true,
  opensAt: null,
  closesAt: null,
  startMethods: { repList: true, issue: true, sessionKey: true, invitationLink: true, modes: ["chat"] },
  problemTypes: [
    { id: "general", label: "Something does not work" },
    { id: "invoice", label: "A question about an invoice" },
  ],
  reps: [
    { repId: "alice", displayName: "Alice" },
    { repId: "bob", displayName: "Bob" },
  ],
  notices: [{ id: "n1", text: "Our phone line is down today; chat works." }],
  agreement: { text: "We may look at your screen only with your permission.", version: "v3" },
  recordingPrompt: "May we record this session for training?",
  fallbackUrl: "https://help.example/contact",
  ...overrides,
});

export const startedSession = (overrides: Partial<StartedSession> = {}): StartedSession => ({
  sessionId: "s-1",
  customerToken: "token-of-s-1-0123456789abcdef",
  state: "waiting",
  repId: null,
  position: { position: 3, queueLength: 3, estimate: { p50Ms: 120_000, p90Ms: 300_000, known: true } },
  endReason: null,
  granted: [],
  lastSequence: 1,
  noRepAvailable: false,
  fallbackUrl: null,
  closing: { waitEndsAfterClosing: false, closesAt: null },
  verifiedFields: [],
  ...overrides,
});

/**
 * A stand-in for intake (a static fixture of the public portal API, services/intake/README.md): serves
 * the built widget like intake does, answers the portal view and starts as scripted, records every
 * call, and lets the test push stream frames to the customer.
 */
export class FixturePortal {
  view: PortalView = fixtureView();
  startAnswer: StartAnswer = { status: 201, body: startedSession() };
  readonly calls: RecordedCall[] = [];
  private readonly streams = new Set<ServerResponse>();
  private sequence = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<FixturePortal> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const portal = new FixturePortal(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => void portal.handle(req, res));
    return portal;
  }

  /** Sends a stream frame to every open stream (as intake does, with the next sequence as id). */
  push(event: string, data: unknown): void {
    const frame = `id: ${++this.sequence}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const stream of this.streams) stream.write(frame);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** The recorded calls to paths ending in `suffix`. */
  callsTo(suffix: string): RecordedCall[] {
    return this.calls.filter((call) => call.path.endsWith(suffix));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    if (url.pathname.startsWith("/widget/")) return this.asset(url.pathname.slice("/widget/".length), res);
    let raw = "";
    for await (const chunk of req) raw += String(chunk);
    const body: unknown = raw ? JSON.parse(raw) : undefined;
    this.calls.push({ method: req.method ?? "", path: url.pathname, authorization: req.headers.authorization, body });
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    const route = url.pathname.replace(/^\/v1\/sites\/[^/]+/, "");
    if (route === "/portal") return json(200, this.view);
    if (route === "/sessions" && req.method === "POST") return json(this.startAnswer.status, this.startAnswer.body);
    if (route.endsWith("/events")) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      // A status frame is the session without its credential.
      const status: Partial<StartedSession> = startedSession();
      delete status.customerToken;
      res.write(`event: status\ndata: ${JSON.stringify(status)}\n\n`);
      this.streams.add(res);
      req.on("close", () => this.streams.delete(res));
      return;
    }
    if (route.endsWith("/messages")) return json(200, { sequence: ++this.sequence });
    if (route.includes("/permission-requests/")) {
      const granted = (body as { granted: boolean }).granted;
      return json(200, { granted: granted ? [{ permission: "view", application: "" }] : [] });
    }
    if (route.endsWith("/permissions/revoke")) return json(200, { granted: [] });
    if (route.endsWith("/end")) return json(200, { state: "ended" });
    if (route.endsWith("/survey")) return void res.writeHead(204).end();
    if (/^\/sessions\/[^/]+$/.test(route)) return json(200, startedSession());
    json(404, { reason: "NOT_FOUND" });
  }

  private asset(file: string, res: ServerResponse): void {
    const name = path.basename(file);
    const type = TYPES[path.extname(name)];
    if (!type) return void res.writeHead(404).end();
    res.writeHead(200, {
      "content-type": type,
      "content-security-policy": FRAME_CSP,
      "x-content-type-options": "nosniff",
    });
    res.end(readFileSync(path.join(WIDGET_DIST, name)));
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
