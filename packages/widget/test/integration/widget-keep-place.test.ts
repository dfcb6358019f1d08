import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { IntakeStack, launchChromium, newSiteId, testIssuer, type TestIssuer } from "@handoff/testing";
import { WIDGET_DIST } from "../support/fixture-portal";
import { HostPage } from "../support/host-page";
import { RepDesk } from "../support/rep-desk";
import { checkView, openWidget, unexpectedErrors, widgetFrame, type OpenedWidget } from "../support/widget-page";

const AGREEMENT = "2026-11";

const routing = {
  teams: [
    {
      id: "support",
      name: "Support",
      strategy: "longest_idle",
      overflow: [],
      transferKeepsWaitTime: false,
      transferPriorityBoost: 0,
      memberRepIds: ["alice"],
    },
  ],
  problemTypes: [
    { id: "general", label: "Something does not work", teamId: "support", priority: 0, requiredSkills: [] },
  ],
};

/**
 * The browser's Notification as a page script sees it, recording what the loader shows (headless
 * Chromium draws no notification to look at). Installed in every frame; the host page's is the one used.
 */
function recordNotifications(): void {
  const shown: { title: string; body: string }[] = [];
  (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
  class RecordedNotification {
    static permission = "default";
    static requestPermission(): Promise<string> {
      RecordedNotification.permission = "granted";
      return Promise.resolve("granted");
    }
    onclick: (() => void) | null = null;
    constructor(title: string, options?: { body?: string }) {
      shown.push({ title, body: options?.body ?? "" });
    }
  }
  (window as unknown as { Notification: unknown }).Notification = RecordedNotification;
}

/**
 * Keep my place in Debian's chromium against the real services: the customer keeps his place and
 * closes the page, the site's webhook gets the resume link, the link reopens the widget where he was and
 * a rep serves him; with the page left open, the callback is a browser notification.
 */
describe("widget: keep my place", () => {
  let stack: IntakeStack;
  let agents: TestIssuer;
  let browser: Browser;
  let host: HostPage;
  let receiver: Server;
  const links: string[] = [];
  const desks: RepDesk[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    expect(existsSync(path.join(WIDGET_DIST, "loader.js")), "npm run build makes the widget").toBe(true);
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        links.push((JSON.parse(body) as { resumeUrl: string }).resumeUrl);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    agents = await testIssuer("AGENT");
    stack = await IntakeStack.start({ brokerEnv: agents.env, intakeEnv: { CALLBACK_CHECK_MS: "300" } });
    host = await HostPage.start(stack.publicUrl);
    browser = await launchChromium();
  }, 180_000);

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    for (const desk of desks.splice(0)) desk.close();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await stack?.stop();
    receiver?.close();
  });

  /** A site offering keep my place, whose resume link lands on the test's host page for that site. */
  async function site(): Promise<string> {
    const siteId = newSiteId();
    const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await stack.site(
      routing,
      {
        startMethods: { repList: false, issueForm: true, sessionKey: false, clientModes: ["click_to_chat"] },
        problemTypes: ["general"],
        agreement: { version: AGREEMENT, text: "The rep sees my screen only when I allow it." },
        messages: { greeting: "Hello! You are number {{position}}.", hold: "Still waiting.", holdIntervalSeconds: 60 },
        allowedOrigins: [host.origin],
        keepPlace: {
          callAtPosition: 1,
          returnWithinSeconds: 600,
          webhook: { url: webhook, secret: "widget-test-webhook-secret" },
          resumePageUrl: host.url({ siteId }),
        },
      },
      siteId,
    );
    return siteId;
  }

  async function rep(siteId: string): Promise<RepDesk> {
    const brokerUrl = `http://127.0.0.1:${stack.sessions.brokers[0]!.process.httpPort}`;
    const desk = await RepDesk.online(brokerUrl, () => agents.token(siteId, "alice"), ["support"]);
    desks.push(desk);
    return desk;
  }

  async function customerAhead(siteId: string, name: string): Promise<string> {
    const response = await fetch(`${stack.publicUrl}/v1/sites/${siteId}/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        method: "issue",
        problemTypeId: "general",
        customer: { name },
        consent: { agreementAccepted: true, agreementVersion: AGREEMENT, recordingAllowed: false },
      }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { sessionId: string }).sessionId;
  }

  /** Opens the widget in a fresh profile that records notifications, and queues by the issue form. */
  async function queueInWidget(siteId: string, name: string): Promise<OpenedWidget> {
    const widget = await openWidget(browser, host.url({ siteId }));
    contexts.push(widget.page.context());
    const { ui } = widget;
    await ui.getByLabel("Topic").selectOption("general");
    await ui.getByLabel("Your name").fill(name);
    await ui.getByRole("button", { name: "Continue" }).first().click();
    await ui.getByLabel("I accept the agreement").check();
    await ui.getByRole("button", { name: "Start" }).click();
    return widget;
  }

  it("keeps the place with the page closed, calls back by the site's link, and the link resumes the session to be served", async () => {
    const siteId = await site();
    const alice = await rep(siteId);
    const ann = await customerAhead(siteId, "Ann");
    await alice.acceptNext(ann);
    const ben = await customerAhead(siteId, "Ben");

    const widget = await queueInWidget(siteId, "Carl");
    const { ui } = widget;
    await ui.getByText("You are number 2 in the queue.").waitFor();
    await ui.getByRole("button", { name: "Keep my place" }).click();
    await ui.getByText("Your place is kept. We will call you back when it is almost your turn.").waitFor();
    await checkView(widget, "keep-place-away");
    expect(unexpectedErrors(widget.errors)).toEqual([]);
    // He closes the page.
    await widget.page.context().close();

    // Alice takes Ben: Carl is first, away, and the site's webhook gets his link.
    await alice.client.end(ann, "resolved");
    await alice.acceptNext(ben);
    const link = await until(() => links[0], 20_000);
    const url = new URL(link);
    expect(url.origin).toBe(host.origin);
    expect(url.searchParams.get("handoff-resume")).toMatch(/^.+\.[A-Za-z0-9_-]{40,}$/);

    // The link opens the widget by itself where he was: back, first in the queue, the link spent.
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(link);
    const back: OpenedWidget = { page, errors, ...widgetFrame(page) };
    await back.ui.getByText("You are next.").waitFor();
    await back.ui.getByRole("button", { name: "Keep my place" }).waitFor();
    expect(new URL(page.url()).searchParams.has("handoff-resume")).toBe(false);
    await checkView(back, "keep-place-resumed");

    // Alice frees up: he is served.
    await alice.client.end(ben, "resolved");
    await alice.acceptNext();
    await back.ui.getByRole("heading", { name: "Chat" }).waitFor();
    await back.ui.getByRole("log").getByText("alice joined.").waitFor();
    expect(unexpectedErrors(errors)).toEqual([]);

    // The same link again: spent; the widget says so (the session it remembers is this tab's own).
    const again = await browser.newContext();
    contexts.push(again);
    const second = await again.newPage();
    await second.goto(link);
    await widgetFrame(second).ui.getByText("This link was used already or is no longer valid.").waitFor();
  }, 180_000);

  it("with the page open, calls back by a browser notification, and 'I am back' ends the absence", async () => {
    const siteId = await site();
    const alice = await rep(siteId);
    const ann = await customerAhead(siteId, "Ann");
    await alice.acceptNext(ann);
    const ben = await customerAhead(siteId, "Ben");
    const before = links.length;

    const widget = await openWidget(browser, host.url({ siteId }), "Get help", false, recordNotifications);
    contexts.push(widget.page.context());
    const { ui, page } = widget;
    await ui.getByLabel("Topic").selectOption("general");
    await ui.getByLabel("Your name").fill("Dora");
    await ui.getByRole("button", { name: "Continue" }).first().click();
    await ui.getByLabel("I accept the agreement").check();
    await ui.getByRole("button", { name: "Start" }).click();
    await ui.getByText("You are number 2 in the queue.").waitFor();
    await ui.getByRole("button", { name: "Keep my place" }).click();
    await ui.getByRole("button", { name: "I am back" }).waitFor();

    await alice.client.end(ann, "resolved");
    await alice.acceptNext(ben);
    await ui.getByText(/It is almost your turn\. Please come back by/).waitFor();
    const shown = await until(
      async () =>
        (
          await page.evaluate(
            () => (window as unknown as { shownNotifications: { title: string }[] }).shownNotifications,
          )
        )[0],
      10_000,
    );
    expect(shown.title).toBe("It is almost your turn");
    await checkView(widget, "keep-place-called-back");
    expect(links.length).toBe(before);

    await ui.getByRole("button", { name: "I am back" }).click();
    await ui.getByRole("button", { name: "Keep my place" }).waitFor();
    await alice.client.end(ben, "resolved");
    await alice.acceptNext();
    await ui.getByRole("heading", { name: "Chat" }).waitFor();
    expect(unexpectedErrors(widget.errors)).toEqual([]);
  }, 180_000);
});

/** Polls `find` until it gives a value, or fails after `timeoutMs`. */
async function until<T>(find: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
