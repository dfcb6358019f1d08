import { createLogger } from "@handoff/runtime";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookNotifier } from "../../src/portal/webhook-notifier";

/**
 * The keep-my-place notifier against a real receiver on loopback: what it posts, what it retries,
 * and, with non-public addresses refused (production), that nothing reaches the receiver whether the
 * URL names the address or a name that resolves to it.
 */
let receiver: Server;
let port: number;
const received: { signature: string; body: string }[] = [];
let answers: number[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({ signature: String(req.headers["handoff-signature"] ?? ""), body });
      res.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  port = (receiver.address() as AddressInfo).port;
});

afterAll(() => receiver?.close());

const logger = createLogger("webhook-test", "silent");
const target = (host: string) => ({ url: `http://${host}:${port}/hook`, secret: "a-secret-of-16-chars" });
const take = () => received.splice(0);

describe("keep-my-place webhook notifier", () => {
  it("posts the signed payload, retries a 503 and gives up on a 400 at once (development: loopback allowed)", async () => {
    const notifier = new WebhookNotifier(logger, { nonPublicAddresses: "allow", delaysMs: [10, 10] });
    answers = [503, 204];
    expect(await notifier.post(target("127.0.0.1"), { resumeUrl: "https://x.example/?r=1" })).toBe(true);
    const deliveries = take();
    expect(deliveries).toHaveLength(2);
    expect(JSON.parse(deliveries[1]!.body)).toEqual({ resumeUrl: "https://x.example/?r=1" });
    expect(deliveries[1]!.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    answers = [400];
    expect(await notifier.post(target("127.0.0.1"), {})).toBe(false);
    expect(take()).toHaveLength(1);
  });

  it.each(["127.0.0.1", "[::ffff:127.0.0.1]", "localhost"])(
    "refuses %s when non-public addresses are refused, with no attempt reaching it and no retry",
    async (host) => {
      const notifier = new WebhookNotifier(logger, { nonPublicAddresses: "refuse", delaysMs: [2_000, 2_000] });
      const started = performance.now();
      expect(await notifier.post(target(host), { resumeUrl: "https://x.example/" })).toBe(false);
      expect(take()).toEqual([]);
      // Not retried: a refusal is final (a retry would first have waited its 2 s).
      expect(performance.now() - started).toBeLessThan(1_000);
    },
  );
});
