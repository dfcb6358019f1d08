import { existsSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { launchChromium, saveScreenshot } from "@handoff/testing";
import { FixturePortal, fixtureView, startedSession, WIDGET_DIST } from "../support/fixture-portal";
import { HostPage } from "../support/host-page";
import {
  ARTIFACTS,
  checkView,
  openHostPage,
  openWidget,
  unexpectedErrors,
  widgetFrame,
  type OpenedWidget,
} from "../support/widget-page";

/**
 * The widget in Debian's chromium on a strict-CSP host page of another origin, against a static
 * fixture of intake's portal API: every view, the postMessage bridge, the budgets' real bundles.
 * (widget-portal.test.ts runs the same UI against the real intake and broker.)
 */
describe("widget against a portal fixture", () => {
  let browser: Browser;
  let portal: FixturePortal;
  let host: HostPage;
  const opened: OpenedWidget[] = [];

  beforeAll(async () => {
    expect(existsSync(path.join(WIDGET_DIST, "loader.js")), "npm run build makes the widget").toBe(true);
    browser = await launchChromium();
  });

  beforeEach(async () => {
    portal = await FixturePortal.start();
    host = await HostPage.start(portal.origin);
  });

  afterEach(async () => {
    for (const widget of opened.splice(0)) await widget.page.context().close();
    await host.close();
    await portal.close();
  });

  afterAll(async () => {
    await browser?.close();
  });

  const fixtureUrl = () => host.url({ siteId: "fixture", identityToken: "header.claims.signature" });

  async function open(url = fixtureUrl(), launcher?: string, keyboard = false): Promise<OpenedWidget> {
    const widget = await openWidget(browser, url, launcher, keyboard);
    opened.push(widget);
    return widget;
  }

  it("adds a launcher that host styles cannot reach and opens the frame from intake's origin, with no CSP refusal", async () => {
    const widget = await open();
    const { page, ui } = widget;
    await ui.getByRole("heading", { name: "How would you like to get help?" }).waitFor();
    const launcher = page.getByRole("button", { name: "Close help" });
    expect(await launcher.getAttribute("aria-expanded")).toBe("true");
    const looks = await launcher.evaluate((element) => {
      const style = getComputedStyle(element);
      return { background: style.backgroundColor, fontSize: style.fontSize };
    });
    expect(looks.background).not.toBe("rgb(255, 105, 180)");
    expect(looks.fontSize).toBe("16px");
    expect(new URL((await widget.frame()).url()).origin).toBe(portal.origin);
    expect(await ui.getByText("Our phone line is down today; chat works.").isVisible()).toBe(true);
    await checkView(widget, "fixture-start");
    await saveScreenshot(page, ARTIFACTS, "fixture-host-page");
    expect(widget.errors).toEqual([]);
  });

  it("asks the host page's identity callback for a fresh token, and locks the fields it vouches for", async () => {
    const claims = Buffer.from(JSON.stringify({ name: "Vera Verified", company: "Acme" })).toString("base64url");
    const token = `eyJhbGciOiJFZERTQSJ9.${claims}.signature`;
    const { page, errors } = await openHostPage(
      browser,
      host.url({ siteId: "fixture", identityCallback: "supportToken" }),
    );
    const widget = { page, errors, ...widgetFrame(page) };
    opened.push(widget);
    // As the site's own script would define it (evaluate: the test page's CSP allows no inline script).
    await page.evaluate((value) => {
      (window as unknown as { supportToken: () => Promise<string> }).supportToken = () => Promise.resolve(value);
    }, token);
    await page.getByRole("button", { name: "Get help" }).click();
    const name = widget.ui.getByLabel("Your name (verified)");
    expect(await name.inputValue()).toBe("Vera Verified");
    expect(await name.getAttribute("readonly")).not.toBeNull();
    expect(await widget.ui.getByLabel("Company (verified)").inputValue()).toBe("Acme");
    expect(await widget.ui.getByLabel("Company code", { exact: true }).getAttribute("readonly")).toBeNull();
    await widget.ui.getByLabel("What is the problem?").fill("Locked name.");
    await widget.ui.getByRole("button", { name: "Continue" }).first().click();
    await widget.ui.getByLabel("I accept the agreement").check();
    await widget.ui.getByRole("button", { name: "Start" }).click();
    await widget.ui.getByText("You are number 3 in the queue.").waitFor();
    expect(portal.callsTo("/sessions")[0]?.body).toMatchObject({
      identityToken: token,
      customer: { name: "Vera Verified" },
    });
    await checkView(widget, "fixture-verified-identity-waiting");
  });

  it("ignores a message that does not come from its frame", async () => {
    const { page, ui } = await open();
    await ui.getByRole("heading", { name: "How would you like to get help?" }).waitFor();
    await page.evaluate(() => window.postMessage({ protocol: "handoff-widget/1", type: "minimize" }, "*"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await page.getByRole("button", { name: "Close help" }).getAttribute("aria-expanded")).toBe("true");
    await ui.getByRole("button", { name: "Minimise" }).click();
    await page.getByRole("button", { name: "Get help" }).waitFor();
  });

  it("starts by rep, asks agreement and recording, and runs waiting, chat, permissions, end and survey", async () => {
    const widget = await open();
    const { ui } = widget;
    await ui.getByRole("button", { name: "Talk to Bob" }).click();
    await ui.getByRole("heading", { name: "Before we start" }).waitFor();
    await ui.getByRole("button", { name: "Start" }).click();
    await ui.getByText("Please accept the agreement to continue.").waitFor();
    await checkView(widget, "fixture-agreement");
    await ui.getByLabel("I accept the agreement").check();
    await ui.getByLabel("Allow recording").check();
    await ui.getByRole("button", { name: "Start" }).click();

    await ui.getByText("You are number 3 in the queue.").waitFor();
    await ui.getByText("Estimated wait: about 2 min, at most 5 min.").waitFor();
    const [start] = portal.callsTo("/sessions");
    expect(start?.body).toMatchObject({
      method: "rep_list",
      repId: "bob",
      identityToken: "header.claims.signature",
      consent: { agreementAccepted: true, agreementVersion: "v3", recordingAllowed: true },
    });
    await expect.poll(() => portal.openStreams).toBe(1);
    expect(portal.callsTo("/events")[0]?.authorization).toBe("Bearer token-of-s-1-0123456789abcdef");
    portal.push("greeting", { text: "Hello! A rep will be with you shortly." });
    portal.push("position", { position: 1, queueLength: 2, estimate: { p50Ms: 30_000, p90Ms: 90_000, known: true } });
    await ui.getByText("You are next.").waitFor();
    await ui.getByRole("log").getByText("Hello! A rep will be with you shortly.").waitFor();
    portal.push("hold", { text: "Still number 1: thank you for waiting." });
    portal.push("notice", { id: "evacuation", text: "We close early today.", pushed: true });
    await ui.getByRole("log").getByText("Still number 1: thank you for waiting.").waitFor();
    await ui.getByRole("alert").filter({ hasText: "We close early today." }).waitFor();
    await checkView(widget, "fixture-waiting");

    portal.push("accepted", { repId: "bob", displayName: "Bob", waitedMs: 5_000 });
    await ui.getByRole("heading", { name: "Chat" }).waitFor();
    await ui.getByRole("log").getByText("Bob joined.").waitFor();
    await ui.getByRole("textbox", { name: "Message" }).fill("My router blinks red.");
    await ui.getByRole("textbox", { name: "Message" }).press("Enter");
    await expect.poll(() => portal.callsTo("/messages")[0]?.body).toEqual({ text: "My router blinks red." });
    portal.push("chat", { from: "customer", text: "My router blinks red.", at: Date.now() });
    portal.push("chat", { from: "rep", repId: "bob", text: "Let me have a look.", at: Date.now() });
    await ui.getByRole("log").getByText("Let me have a look.").waitFor();
    const log = ui.getByRole("log");
    const before = await log.evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
    await ui.getByRole("button", { name: "Larger text" }).click();
    expect(await log.evaluate((element) => parseFloat(getComputedStyle(element).fontSize))).toBeGreaterThan(before);

    portal.push("permission", { requestId: "r1", permission: "view", application: "", change: "requested" });
    await ui.getByRole("group", { name: "Bob asks to view your screen." }).waitFor();
    await checkView(widget, "fixture-permission-prompt");
    await ui.getByRole("button", { name: "Allow" }).click();
    await ui.getByRole("button", { name: "Stop sharing" }).waitFor();
    expect(portal.callsTo("/permission-requests/r1")[0]?.body).toEqual({ granted: true });
    await checkView(widget, "fixture-sharing");
    await ui.getByRole("button", { name: "Stop sharing" }).click();
    await expect
      .poll(() => portal.callsTo("/permissions/revoke")[0]?.body)
      .toEqual({ permission: "all", application: "" });
    await ui.getByRole("button", { name: "Stop sharing" }).waitFor({ state: "hidden" });

    await ui.getByRole("button", { name: "End session" }).click();
    await expect.poll(() => portal.callsTo("/end")[0]?.body).toEqual({ reason: "left" });
    portal.push("end", { reason: "customer_ended", survey: true });
    await ui.getByRole("heading", { name: "How did we do?" }).waitFor();
    await checkView(widget, "fixture-survey");
    await ui.getByLabel("4 – good").check();
    await ui.getByLabel("Comment (optional)").fill("Quick and friendly.");
    await ui.getByRole("button", { name: "Send" }).click();
    await ui.getByRole("heading", { name: "Thank you for contacting us." }).waitFor();
    expect(portal.callsTo("/survey")[0]?.body).toEqual({ satisfaction: 4, comment: "Quick and friendly." });
    expect(unexpectedErrors(widget.errors)).toEqual([]);
  });

  it("shows intake's field errors on the issue form's fields", async () => {
    portal.startAnswer = {
      status: 400,
      body: { reason: "INVALID", errors: [{ field: "customer.name", problem: "at most 200 characters" }] },
    };
    const widget = await open();
    const { ui } = widget;
    await ui.getByLabel("Topic").selectOption("invoice");
    await ui.getByLabel("Your name").fill("Ann");
    await ui.getByLabel("What is the problem?").fill("Invoice 42 is wrong.");
    await ui.getByRole("button", { name: "Continue" }).first().click();
    await ui.getByLabel("I accept the agreement").check();
    await ui.getByRole("button", { name: "Start" }).click();
    await ui.getByText("at most 200 characters").waitFor();
    expect(await ui.getByLabel("Your name").getAttribute("aria-invalid")).toBe("true");
    expect(await ui.getByLabel("Your name").inputValue()).toBe("Ann");
    expect(await ui.getByLabel("Topic").inputValue()).toBe("invoice");
    expect(portal.callsTo("/sessions")[0]?.body).toMatchObject({
      method: "issue",
      problemTypeId: "invoice",
      customer: { name: "Ann", description: "Invoice 42 is wrong." },
    });
    await checkView(widget, "fixture-issue-errors");
  });

  it("when closed, offers only the session key and says when it opens; a refused key is marked on its field", async () => {
    portal.view = fixtureView({ open: false, opensAt: "2030-01-07T08:00:00Z" });
    portal.startAnswer = { status: 403, body: { reason: "CREDENTIAL_REJECTED" } };
    const widget = await open();
    const { ui } = widget;
    await ui.getByRole("heading", { name: "Support is closed" }).waitFor();
    await ui.getByText(/We are closed\. We open again Monday/).waitFor();
    expect(await ui.getByRole("button", { name: "Talk to Alice" }).count()).toBe(0);
    expect(await ui.getByLabel("Topic").count()).toBe(0);
    await ui.getByRole("link", { name: "Other ways to get help" }).waitFor();
    await checkView(widget, "fixture-closed");
    await ui.getByLabel("Session key", { exact: true }).fill("7K3M-9QX2-TD");
    await ui.getByRole("button", { name: "Continue" }).click();
    await ui.getByLabel("I accept the agreement").check();
    await ui.getByRole("button", { name: "Start" }).click();
    await ui.getByText("That session key or link is not valid, or it has expired.").waitFor();
    expect(await ui.getByLabel("Session key", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(portal.callsTo("/sessions")[0]?.body).toMatchObject({ method: "session_key", sessionKey: "7K3M-9QX2-TD" });
  });

  it("warns when the wait may end after closing, and keeps the customer's place across a reload", async () => {
    portal.startAnswer = {
      status: 201,
      body: startedSession({ closing: { waitEndsAfterClosing: true, closesAt: "2030-01-07T17:30:00Z" } }),
    };
    const widget = await open();
    const { page, ui } = widget;
    await ui.getByRole("button", { name: "Talk to Alice" }).click();
    await ui.getByLabel("I accept the agreement").check();
    await ui.getByRole("button", { name: "Start" }).click();
    await ui.getByText(/We close at .*, and your wait may end after that\./).waitFor();
    await page.reload();
    // The loader remembered the session (host page storage): the widget opens by itself, where he was.
    expect(await page.getByRole("button", { name: "Close help" }).getAttribute("aria-expanded")).toBe("true");
    await ui.getByText("You are number 3 in the queue.").waitFor();
    const resumed = portal.calls.filter((call) => call.method === "GET" && call.path.endsWith("/sessions/s-1"));
    expect(resumed[0]?.authorization).toBe("Bearer token-of-s-1-0123456789abcdef");
    expect(portal.callsTo("/sessions").filter((call) => call.method === "POST")).toHaveLength(1);
  });

  it("tells at once when no rep is available, with the fallback link", async () => {
    portal.startAnswer = {
      status: 201,
      body: startedSession({ state: "ended", noRepAvailable: true, fallbackUrl: "https://help.example/contact" }),
    };
    const widget = await open();
    const { ui } = widget;
    await ui.getByRole("button", { name: "Talk to Alice" }).click();
    await ui.getByLabel("I accept the agreement").check();
    await ui.getByRole("button", { name: "Start" }).click();
    await ui.getByRole("heading", { name: "No support rep is available right now." }).waitFor();
    expect(await ui.getByRole("link", { name: "Other ways to get help" }).getAttribute("href")).toBe(
      "https://help.example/contact",
    );
    await checkView(widget, "fixture-no-rep");
  });

  it("opens at the agreement for an invitation link in the host page's URL, in German", async () => {
    const token = "inv_0123456789abcdefghij";
    const { page, ui, errors } = await openWidgetNoClick(
      host.url({ siteId: "fixture", locale: "de", invitationToken: token }),
    );
    await ui.getByRole("heading", { name: "Bevor es losgeht" }).waitFor();
    await ui.getByText("Sie wurden zu einer Support-Sitzung eingeladen.").waitFor();
    expect(await page.getByRole("button", { name: "Hilfe schließen" }).getAttribute("aria-expanded")).toBe("true");
    await ui.getByLabel("Ich stimme der Vereinbarung zu").check();
    await ui.getByRole("button", { name: "Starten" }).click();
    await ui.getByText("Sie sind Nummer 3 in der Warteschlange.").waitFor();
    expect(portal.callsTo("/sessions")[0]?.body).toMatchObject({ method: "invitation_link", invitationToken: token });
    await saveScreenshot(page, ARTIFACTS, "fixture-invitation-de");
    expect(errors).toEqual([]);
  });

  it("works by keyboard alone: launcher, rep, agreement, chat, leave, and Escape back to the launcher", async () => {
    const { page, ui } = await open(fixtureUrl(), "Get help", true);
    await ui.getByRole("heading", { name: "How would you like to get help?" }).waitFor();
    const tabTo = async (name: string | RegExp, role: "button" | "checkbox" | "radio" | "textbox" = "button") => {
      const target = ui.getByRole(role, { name });
      for (let i = 0; i < 30; i++) {
        if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) return;
        await page.keyboard.press("Tab");
      }
      throw new Error(`Tab never reached ${String(name)}`);
    };
    await tabTo("Talk to Alice");
    await page.keyboard.press("Enter");
    await ui.getByRole("heading", { name: "Before we start" }).waitFor();
    await tabTo("I accept the agreement", "checkbox");
    await page.keyboard.press("Space");
    await tabTo("Start");
    await page.keyboard.press("Enter");
    await ui.getByText("You are number 3 in the queue.").waitFor();
    await expect.poll(() => portal.openStreams).toBe(1);
    portal.push("accepted", { repId: "alice", displayName: "Alice", waitedMs: 1_000 });
    await ui.getByRole("heading", { name: "Chat" }).waitFor();
    await tabTo("Message", "textbox");
    await page.keyboard.type("Hello");
    await page.keyboard.press("Enter");
    await expect.poll(() => portal.callsTo("/messages")[0]?.body).toEqual({ text: "Hello" });
    portal.push("permission", { requestId: "r9", permission: "control", application: "", change: "requested" });
    await ui.getByRole("group", { name: "Alice asks to control your computer." }).waitFor();
    // The prompt takes the focus: Enter answers it.
    await page.keyboard.press("Enter");
    await expect.poll(() => portal.callsTo("/permission-requests/r9")[0]?.body).toEqual({ granted: true });
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Get help" }).waitFor();
    expect(
      await page
        .getByRole("button", { name: "Get help" })
        .evaluate(
          (element) =>
            element.getRootNode() instanceof ShadowRoot &&
            (element.getRootNode() as ShadowRoot).activeElement === element,
        ),
    ).toBe(true);
  });

  /** The page only: an invitation link opens the widget without a click. */
  async function openWidgetNoClick(url: string) {
    const { page, errors } = await openHostPage(browser, url);
    const widget = { page, errors, ...widgetFrame(page) };
    opened.push(widget);
    return widget;
  }
});
