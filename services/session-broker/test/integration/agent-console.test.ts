import { existsSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ClientMode, RoutingStrategy, SessionState, StartMethod } from "@handoff/proto/common";
import type { SessionEvent } from "@handoff/proto/events";
import {
  asCustomer,
  createRequest,
  eventually,
  issueRequest,
  launchChromium,
  saveScreenshot,
  seriousAxeViolations,
  SessionStack,
  teamConfig,
  siteWithTeams,
} from "@handoff/testing";
import { eventsOf, sessionOf } from "../support/active-session";
import { testIssuer } from "../support/agent-http";

const CONSOLE_DIST = path.resolve(__dirname, "..", "..", "..", "..", "examples", "agent-console", "dist");
const ARTIFACTS = "agent-console";

/**
 * The example agent console (examples/agent-console) in Debian's chromium against real services: the
 * broker serves it at /console/ with development auth, a rep signs in there and works customers'
 * sessions created through the broker, driving the page by keyboard and by its accessible names.
 */
describe("agent console in a browser", () => {
  let stack: SessionStack;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];
  /** What the page logged as an error or threw (a CSP refusal shows up here too). */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(path.join(CONSOLE_DIST, "index.html")), "npm run build makes the console").toBe(true);
    // Development auth: no issuer, so the broker signs the console's tokens (POST /dev/token).
    stack = await SessionStack.start();
    base = `http://127.0.0.1:${stack.brokers[0]!.process.httpPort}`;
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** A fresh browser profile on the console, signed in as `repId` of `siteId` with a development token. */
  async function signIn(siteId: string, repId: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
    await page.goto(`${base}/console/`);
    await page.getByLabel("Site").fill(siteId);
    await page.getByLabel("Rep", { exact: true }).fill(repId);
    await page.getByLabel("Rep", { exact: true }).press("Enter");
    await shown(page, page.getByText(`Signed in as ${repId} at ${siteId}.`));
    return page;
  }

  /** Waits for `locator`, failing at once with the page's alert when a command was refused instead. */
  async function shown(page: Page, locator: Locator, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await locator.isVisible()) return;
      const refusal = (await page.locator("[role=alert]").textContent()) ?? "";
      if (refusal || Date.now() > deadline) {
        await saveScreenshot(page, ARTIFACTS, "failure");
        throw new Error(`${String(locator)} not shown; the page says "${refusal}"; errors: ${pageErrors.join("; ")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Logs in to `teams` and sets available in single-session mode, as a rep does at the start of a shift. */
  async function startShift(page: Page, teams: string) {
    await page.getByLabel("Team ids (comma-separated)").fill(teams);
    await page.getByLabel("Team ids (comma-separated)").press("Enter");
    await shown(page, page.getByText(`Logged in to ${teams}.`));
    await page.getByRole("button", { name: "Set mode" }).press("Enter");
    await page.getByLabel("State", { exact: true }).selectOption("available");
    await page.getByRole("button", { name: "Set state" }).press("Enter");
    await shown(page, page.getByText(/^available in /));
  }

  /** The customer's view of the session's events (what the widget would show through intake). */
  async function customerEvents(siteId: string, sessionId: string, customerToken: string): Promise<SessionEvent[]> {
    const { events } = await stack.broker.listSessionEvents({
      siteId,
      sessionId,
      requester: asCustomer(customerToken),
      afterSequence: 0,
      limit: 500,
    });
    return events;
  }

  async function expectAccessible(page: Page) {
    expect(await seriousAxeViolations(page)).toEqual([]);
  }

  it("serves the page on the broker's port with a strict policy, and signs tokens only in development mode", async () => {
    const redirect = await fetch(`${base}/console`, { redirect: "manual" });
    expect([redirect.status, redirect.headers.get("location")]).toEqual([301, "/console/"]);
    const page = await fetch(`${base}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const bad = await fetch(`${base}/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ siteId: "demo", repId: "not a valid id!" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { field?: string }).field).toBe("repId");

    const issuer = await testIssuer();
    // Its own consumer groups: joining the stack's would rebalance them under the other tests.
    const production = await stack.addBroker({ ...issuer.brokerEnv, KAFKA_CONSUMER_GROUP: `console-${Date.now()}` });
    try {
      const refused = await fetch(`http://127.0.0.1:${production.process.httpPort}/dev/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ siteId: "demo", repId: "alice" }),
      });
      expect(refused.status).toBe(404);
    } finally {
      await stack.stopBroker(stack.brokers.indexOf(production));
    }
  });

  it("lets a rep accept an offer with a countdown, chat, ask a permission, allow a file, note and transfer", async () => {
    const siteId = await siteWithTeams(stack, [
      teamConfig("t1", { memberRepIds: ["alice"] }),
      teamConfig("t2", { memberRepIds: ["bob"] }),
    ]);
    const page = await signIn(siteId, "alice");
    await startShift(page, "t1");
    await expectAccessible(page);

    const created = await stack.broker.createSession(
      issueRequest(siteId, { clientMode: ClientMode.CLIENT_MODE_FULL_CLIENT }),
    );
    const sessionId = created.session!.sessionId;
    const offer = page.locator(`li.offer[data-session-id="${sessionId}"]`);
    await offer.waitFor({ timeout: 15_000 });
    await shown(page, offer.getByText("Carl Customer (Acme)"));
    await shown(page, offer.getByText("Full client"));
    const secondsShown = async () => Number(/(\d+) s to accept/.exec(await offer.getByRole("timer").innerText())?.[1]);
    const first = await secondsShown();
    expect(first).toBeGreaterThan(20);
    expect(first).toBeLessThanOrEqual(30);
    await eventually(async () => (await secondsShown()) < first, 5_000, "the countdown moving on");
    await saveScreenshot(page, ARTIFACTS, "1-offer");
    await expectAccessible(page);

    await offer.getByRole("button", { name: "Accept" }).press("Enter");
    const card = page.locator(`article.session[data-session-id="${sessionId}"]`);
    await card.waitFor();
    expect(await offer.count()).toBe(0);
    expect((await sessionOf(stack.broker, siteId, sessionId)).repId).toBe("alice");

    await card.getByLabel("Message").fill("Hello, I am looking at your printer now.");
    await card.getByLabel("Message").press("Enter");
    await eventually(
      async () =>
        (await customerEvents(siteId, sessionId, created.customerToken)).some(
          (e) =>
            e.payload?.$case === "chatMessageSent" &&
            e.payload.chatMessageSent.text === "Hello, I am looking at your printer now.",
        ),
      10_000,
      "the rep's chat on the customer's side",
    );
    await stack.broker.sendChatMessage({
      siteId,
      sessionId,
      requester: asCustomer(created.customerToken),
      text: "Thanks! It says PC LOAD LETTER.",
    });
    const log = card.getByRole("log");
    await shown(page, log.getByText("Thanks! It says PC LOAD LETTER."));
    expect(await log.getByText("Hello, I am looking at your printer now.").count()).toBe(1);

    await card.getByLabel("Permission").selectOption("control");
    await card.getByRole("button", { name: "Ask" }).press("Enter");
    const requestId = await eventually(async () => {
      const asked = (await customerEvents(siteId, sessionId, created.customerToken)).find(
        (e) => e.payload?.$case === "permissionChanged",
      );
      return asked?.payload?.$case === "permissionChanged" && asked.payload.permissionChanged.requestId;
    });
    await stack.broker.answerPermission({
      siteId,
      sessionId,
      requester: asCustomer(created.customerToken),
      requestId,
      granted: true,
    });
    await shown(page, card.getByText("Permissions: control: granted."));
    await shown(page, log.getByText("granted control"));

    const { requestId: fileRequestId } = await stack.broker.requestFileSend({
      siteId,
      sessionId,
      requester: asCustomer(created.customerToken),
      fileName: "printer-log.txt",
      sizeBytes: 12_345,
    });
    await shown(page, log.getByText("asks to send printer-log.txt (12.3 kB)"));
    await log.getByRole("group", { name: "File printer-log.txt" }).getByRole("button", { name: "Allow" }).click();
    await shown(page, log.getByText("allowed the file"));
    expect(await log.getByRole("group", { name: "File printer-log.txt" }).count()).toBe(0);
    const fileAnswer = (await customerEvents(siteId, sessionId, created.customerToken)).find(
      (e) => e.payload?.$case === "fileSendAnswered",
    );
    expect(fileAnswer?.payload).toMatchObject({
      $case: "fileSendAnswered",
      fileSendAnswered: { requestId: fileRequestId, allowed: true, actorId: "alice" },
    });

    await card.getByLabel("Note", { exact: true }).fill("Printer firmware is old.");
    await card.getByRole("button", { name: "Add note" }).press("Enter");
    await shown(page, log.getByText("Printer firmware is old."));
    const customerSees = await customerEvents(siteId, sessionId, created.customerToken);
    expect(customerSees.some((e) => e.payload?.$case === "noteAdded")).toBe(false);
    await saveScreenshot(page, ARTIFACTS, "2-session");
    await expectAccessible(page);
    // The status line (the last news) has its own room: it covers no control, the Transfer button included.
    await shown(page, page.locator(".announcer [role=status]").filter({ hasText: /\S/ }));
    const transfer = card.getByRole("button", { name: "Transfer", exact: true });
    await transfer.scrollIntoViewIfNeeded();
    const [button, announcer] = [await transfer.boundingBox(), await page.locator(".announcer").boundingBox()];
    expect(button && announcer).toBeTruthy();
    expect(button!.y + button!.height, "the Transfer button ends above the status line").toBeLessThanOrEqual(
      announcer!.y,
    );
    // Playwright's trial click fails when another element would receive the click.
    await transfer.click({ trial: true, timeout: 5_000 });

    await card.getByLabel("To", { exact: true }).selectOption("team");
    await card.getByLabel("Team or rep id").fill("t2");
    await card.getByLabel("Team or rep id").press("Enter");
    await card.waitFor({ state: "detached" });
    await shown(page, page.getByText(/^The session with Carl Customer \(Acme\) was transferred/));
    const moved = await sessionOf(stack.broker, siteId, sessionId);
    expect(moved.state).toBe(SessionState.SESSION_STATE_WAITING);
    expect(moved.target?.target).toEqual({ $case: "teamId", teamId: "t2" });
    expect(pageErrors).toEqual([]);
  });

  it("shows the queue with place, wait and estimate, takes the next session and ends it", async () => {
    // A manual team: sessions wait until a rep pulls them.
    const siteId = await siteWithTeams(stack, [
      teamConfig("desk", { memberRepIds: ["carol"], strategy: RoutingStrategy.ROUTING_STRATEGY_MANUAL }),
    ]);
    const page = await signIn(siteId, "carol");
    await startShift(page, "desk");
    const created = await stack.broker.createSession(issueRequest(siteId));
    const sessionId = created.session!.sessionId;

    await page.getByRole("button", { name: "Refresh the queues" }).press("Enter");
    const row = page.locator(`tr[data-session-id="${sessionId}"]`);
    await row.waitFor();
    const cells = await row.getByRole("cell").allInnerTexts();
    expect(cells.slice(0, 3)).toEqual(["team desk", "Carl Customer", "1 of 1"]);
    expect(cells[3]).toMatch(/^\d+:\d\d$/);
    expect(cells[4]).toMatch(/^(unknown|about .*)$/);
    await saveScreenshot(page, ARTIFACTS, "3-queues");
    await expectAccessible(page);

    await page.getByRole("button", { name: "Take the next session" }).press("Enter");
    const card = page.locator(`article.session[data-session-id="${sessionId}"]`);
    await card.waitFor();
    await card.getByLabel("Resolution for the rep survey (optional)").fill("printer-driver");
    await card.getByRole("button", { name: "End session" }).press("Enter");
    await card.waitFor({ state: "detached" });
    await shown(page, page.getByText("The session with Carl Customer (Acme) ended."));
    expect((await sessionOf(stack.broker, siteId, sessionId)).state).toBe(SessionState.SESSION_STATE_ENDED);
    await eventually(
      async () =>
        (await customerEvents(siteId, sessionId, created.customerToken)).some(
          (e) => e.payload?.$case === "sessionClosed",
        ),
      10_000,
      "the end on the customer's side",
    );
    // The console sends the rep survey after the end's answer: it may land after the card is gone.
    const survey = await eventually(
      async () =>
        (await eventsOf(stack.broker, siteId, sessionId)).find((e) => e.payload?.$case === "repSurveySubmitted"),
      10_000,
      "the rep survey",
    );
    expect(survey.payload).toMatchObject({ repSurveySubmitted: { repId: "carol", resolutionCode: "printer-driver" } });
    await saveScreenshot(page, ARTIFACTS, "4-ended");
    expect(pageErrors).toEqual([]);
  });

  it("sets multi-session mode and away with a reason; makes a session key the customer types, whose session the rep accepts and nudges; and an invitation link", async () => {
    const siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["bob"] })]);
    const page = await signIn(siteId, "bob");
    await startShift(page, "t1");
    await page.getByLabel("Several sessions at once").check();
    await page.getByLabel("Sessions at once (several)").fill("3");
    await page.getByRole("button", { name: "Set mode" }).press("Enter");
    await shown(page, page.getByText("You take 3 sessions at a time."));
    await page.getByLabel("State", { exact: true }).selectOption("away");
    await page.getByLabel("Reason when away (optional)").fill("lunch");
    await page.getByRole("button", { name: "Set state" }).press("Enter");
    await shown(page, page.getByText(/^away \(lunch\) in t1/));
    await page.getByLabel("State", { exact: true }).selectOption("available");
    await page.getByRole("button", { name: "Set state" }).press("Enter");
    await shown(page, page.getByText(/^available in t1, 0 of 3 sessions/));

    await page.getByRole("button", { name: "Create a session key" }).press("Enter");
    const keyLine = page.getByText(/^Session key \S+, valid until/);
    await shown(page, keyLine);
    const displayKey = /^Session key (\S+),/.exec(await keyLine.innerText())![1]!;
    const created = await stack.broker.createSession(
      createRequest(siteId, { startMethod: StartMethod.START_METHOD_SESSION_KEY, sessionKey: displayKey }),
    );
    const sessionId = created.session!.sessionId;
    expect(created.session?.target?.target).toEqual({ $case: "repId", repId: "bob" });
    const offer = page.locator(`li.offer[data-session-id="${sessionId}"]`);
    await offer.waitFor({ timeout: 15_000 });
    await shown(page, offer.getByText("From your own queue."));
    await offer.getByRole("button", { name: "Accept" }).press("Enter");
    const card = page.locator(`article.session[data-session-id="${sessionId}"]`);
    await card.waitFor();
    await card.getByRole("button", { name: "Nudge" }).press("Enter");
    await eventually(
      async () =>
        (await customerEvents(siteId, sessionId, created.customerToken)).some((e) => e.payload?.$case === "nudged"),
      10_000,
      "the nudge on the customer's side",
    );

    await page.getByLabel("Send it").selectOption("chat");
    await page.getByLabel("Customer's name (optional)").fill("Dana");
    await page.getByRole("button", { name: "Create an invitation link" }).press("Enter");
    await shown(page, page.getByText(/^https?:\/\/\S+ \(valid until/));
    await saveScreenshot(page, ARTIFACTS, "5-invite");
    await expectAccessible(page);
    expect(pageErrors).toEqual([]);
  });
});
