import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { RepState } from "@handoff/proto/common";
import { createKafka, createLogger } from "@handoff/runtime";
import {
  eventually,
  infrastructureEnv,
  issueRequest,
  launchChromium,
  saveScreenshot,
  SessionStack,
  offeredEpoch,
  seriousAxeViolations,
  startService,
  teamConfig,
  type ServiceProcess,
} from "@handoff/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INGEST_TOPICS } from "../../src/events/ingest-topics";
import { startGroupsAtEnd } from "../support/consumer-groups";
import { createReportingDatabase, type ReportingDatabase } from "../support/reporting-database";

const WALLBOARD_DIST = path.resolve(__dirname, "..", "..", "wallboard", "dist");
const ARTIFACTS = "wallboard";

/**
 * The wallboard in Debian's chromium against the real services: the reporting process (development
 * auth, its own database, its consumer groups starting at the topics' ends) serves the page and the
 * live stream, fed by the events of the real acd, presence and session-broker while sessions are
 * created and answered through the broker.
 */
describe("wallboard in a browser", () => {
  let stack: SessionStack;
  let database: ReportingDatabase;
  let reporting: ServiceProcess;
  let browser: Browser;
  let base: string;
  /** What the page logged as an error or threw (a CSP refusal shows up here too). */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(path.join(WALLBOARD_DIST, "index.html")), "npm run build makes the wallboard").toBe(true);
    const env = infrastructureEnv();
    stack = await SessionStack.start();
    database = await createReportingDatabase(env.DATABASE_URL);
    const groupPrefix = `test.wallboard.${randomUUID().slice(0, 8)}`;
    const kafka = createKafka({
      clientId: "wallboard-test",
      brokers: env.KAFKA_BROKERS.split(","),
      logger: createLogger("test", "silent"),
    });
    await startGroupsAtEnd(kafka, INGEST_TOPICS, groupPrefix);
    reporting = await startService("reporting", {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      KAFKA_CONSUMER_GROUP: groupPrefix,
    });
    base = `http://127.0.0.1:${reporting.httpPort}`;
    await eventually(
      async () => (await fetch(`${base}/readyz`)).ok,
      60_000,
      `reporting ready:\n${reporting.output.join("\n")}`,
    );
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await reporting?.stop();
    await database?.drop();
    await stack?.stop();
  });

  /** The text of one figure of a team's tile. */
  const figure = (page: Page, teamId: string, name: string) =>
    page.locator(`article[data-team="${teamId}"] dd[data-figure="${name}"]`);

  /** Waits until the tile figures read `expected`, failing with what they read and the page's errors. */
  async function tileShows(page: Page, teamId: string, expected: Record<string, string>, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const shown: Record<string, string> = {};
      for (const name of Object.keys(expected))
        shown[name] =
          (await figure(page, teamId, name)
            .textContent({ timeout: 1_000 })
            .catch(() => null)) ?? "?";
      if (Object.entries(expected).every(([name, value]) => shown[name] === value)) return;
      if (Date.now() > deadline) {
        await saveScreenshot(page, ARTIFACTS, "failure");
        throw new Error(
          `tile ${teamId} shows ${JSON.stringify(shown)}, not ${JSON.stringify(expected)}; ` +
            `status "${await page.locator("#connection").textContent()}"; errors: ${pageErrors.join("; ")}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("serves the page under a strict policy and gives development supervisor tokens to this machine", async () => {
    const page = await fetch(`${base}/wallboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const token = await fetch(`${base}/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ siteId: "demo", repId: "sue", roles: ["supervisor"] }),
    });
    expect(token.status).toBe(200);
    const bad = await fetch(`${base}/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ siteId: "demo", repId: "sue", roles: ["boss"] }),
    });
    expect(((await bad.json()) as { field?: string }).field).toBe("roles.0");
  });

  it("changes its tiles as sessions are created and answered through the real services", async () => {
    const siteId = await stack.site([teamConfig("t1", { memberRepIds: ["alice"] })]);
    await stack.acd.putRoutingConfig({
      siteId,
      config: {
        version: 0,
        teams: [teamConfig("t1", { memberRepIds: ["alice"] })],
        problemTypes: [{ id: "general", label: "General", teamId: "t1", priority: 0, requiredSkills: [] }],
      },
    });
    await stack.repOnline(siteId, "alice", ["t1"]);
    const setAlice = (state: RepState) => stack.repState(siteId, "alice", state);
    await setAlice(RepState.REP_STATE_AWAY);

    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
    try {
      await page.goto(`${base}/wallboard/?site=${siteId}&timeZone=UTC`);
      await page.getByLabel("Supervisor", { exact: true }).waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      // Keyboard only: the site comes from the URL; type the supervisor and press Enter.
      await page.getByLabel("Supervisor", { exact: true }).fill("sue");
      await page.getByLabel("Supervisor", { exact: true }).press("Enter");
      await tileShows(page, "t1", { waiting: "0", away: "1", available: "0", answered: "0" });
      expect(await page.locator("#connection").textContent()).toBe("Live · UTC · service level within 20 s");

      const sessions = [
        await stack.broker.createSession(issueRequest(siteId)),
        await stack.broker.createSession(issueRequest(siteId)),
      ];
      await tileShows(page, "t1", { waiting: "2" });
      await saveScreenshot(page, ARTIFACTS, "waiting");

      await setAlice(RepState.REP_STATE_AVAILABLE);
      const first = sessions[0]!.session!.sessionId;
      await stack.broker.acceptSessionOffer({
        siteId,
        sessionId: first,
        repId: "alice",
        epoch: await offeredEpoch(stack.broker, siteId, first),
      });
      await tileShows(page, "t1", { waiting: "1", away: "0", answered: "1" });
      // The chart and the day's service level follow within the day's refresh.
      await eventually(
        async () =>
          /Latest: 1 waiting/.test((await page.locator(".chart [role=img]").getAttribute("aria-label")) ?? ""),
        20_000,
        "the chart's latest interval",
      );
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(pageErrors).toEqual([]);
      const file = await saveScreenshot(page, ARTIFACTS, "answered");
      expect(existsSync(file)).toBe(true);
    } finally {
      await context.close();
    }
  });
});
