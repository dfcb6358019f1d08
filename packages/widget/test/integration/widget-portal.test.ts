import { existsSync } from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { Browser, Response } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  IntakeStack,
  launchChromium,
  newSiteId,
  seriousAxeViolations,
  testIssuer,
  type TestIssuer,
} from "@handoff/testing";
import { WIDGET_DIST } from "../support/fixture-portal";
import { HostPage } from "../support/host-page";
import { RepDesk } from "../support/rep-desk";
import {
  checkView,
  expectButtonsInView,
  openHostPage,
  openWidget,
  unexpectedErrors,
  widgetFrame,
  type OpenedWidget,
} from "../support/widget-page";

const AGREEMENT = "2026-11";

/** Support (alice, bob) takes problem type `general`. */
const routing = {
  teams: [
    {
      id: "support",
      name: "Support",
      strategy: "longest_idle",
      overflow: [],
      transferKeepsWaitTime: false,
      transferPriorityBoost: 0,
      memberRepIds: ["alice", "bob"],
    },
  ],
  problemTypes: [
    { id: "general", label: "Something does not work", teamId: "support", priority: 0, requiredSkills: [] },
  ],
};

/** Every start method, agreement, recording prompt, greeting and hold messages, a notice; framed by `origin`. */
const portalConfig = (origin: string, extra: Record<string, unknown> = {}) => ({
  startMethods: { repList: true, issueForm: true, sessionKey: true, clientModes: ["click_to_chat"] },
  problemTypes: ["general"],
  agreement: { version: AGREEMENT, text: "The rep sees my screen only when I allow it." },
  recordingPrompt: { text: "May we record this session for training?" },
  messages: {
    greeting: "Hello! You are number {{position}}.",
    hold: "Still number {{position}}, thank you.",
    holdIntervalSeconds: 15,
  },
  notices: [{ id: "phones", text: "Our phone line is down today; chat works.", delivery: "automatic" }],
  fallbackUrl: "https://help.example.com/contact",
  allowedOrigins: [origin],
  ...extra,
});

const DAY_MS = 86_400_000;
const ALL_DAY = [{ opens: "00:00", closes: "24:00" }];
/**
 * Open every day but closed from yesterday to tomorrow in the site's zone (UTC), dates taken when the
 * test runs: closed whatever the machine's time zone, also when the run crosses midnight, and opening
 * again within two days (so the widget has an opening time to say).
 */
const closedAroundNow = (nowMs = Date.now()) => ({
  timeZone: "UTC",
  weekly: Object.fromEntries(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map((day) => [day, ALL_DAY]),
  ),
  exceptions: [-1, 0, 1].map((days) => ({
    date: new Date(nowMs + days * DAY_MS).toISOString().slice(0, 10),
    hours: [],
    reason: "Staff outing",
  })),
});

/**
 * The widget in Debian's chromium against the real services (acd, presence, session-broker and intake
 * as processes on the test infrastructure), on a strict-CSP host page of another origin, with reps
 * driven through the agent SDK.
 */
describe("widget against the real portal", () => {
  let stack: IntakeStack;
  let agents: TestIssuer;
  let browser: Browser;
  let host: HostPage;
  const desks: RepDesk[] = [];
  const opened: OpenedWidget[] = [];

  beforeAll(async () => {
    expect(existsSync(path.join(WIDGET_DIST, "loader.js")), "npm run build makes the widget").toBe(true);
    agents = await testIssuer("AGENT");
    stack = await IntakeStack.start({ brokerEnv: agents.env });
    host = await HostPage.start(stack.publicUrl);
    browser = await launchChromium();
  }, 180_000);

  afterEach(async () => {
    for (const widget of opened.splice(0)) await widget.page.context().close();
    for (const desk of desks.splice(0)) desk.close();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await stack?.stop();
  });

  const site = (extra: Record<string, unknown> = {}) => stack.site(routing, portalConfig(host.origin, extra));

  async function rep(siteId: string, repId: string): Promise<RepDesk> {
    const brokerUrl = `http://127.0.0.1:${stack.sessions.brokers[0]!.process.httpPort}`;
    const desk = await RepDesk.online(brokerUrl, () => agents.token(siteId, repId), ["support"]);
    desks.push(desk);
    return desk;
  }

  async function open(siteId: string, options: { keyboard?: boolean } = {}): Promise<OpenedWidget> {
    const widget = await openWidget(browser, host.url({ siteId }), "Get help", options.keyboard);
    opened.push(widget);
    return widget;
  }

  /** A customer asking through the API (not the widget), to queue ahead of the widget's customer. */
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

  /** Ticks the agreement, answers the recording prompt and starts. */
  async function agree(widget: OpenedWidget, recording: "Allow recording" | "Do not record" = "Do not record") {
    await widget.ui.getByLabel("I accept the agreement").check();
    await widget.ui.getByLabel(recording).check();
    await widget.ui.getByRole("button", { name: "Start" }).click();
  }

  const answered = (widget: OpenedWidget, suffix: string) =>
    widget.page.waitForResponse((response: Response) => new URL(response.url()).pathname.endsWith(suffix));

  it("starts by issue, shows the position falling live, then chat, a permission granted then stopped, end and survey", async () => {
    const siteId = await site();
    const alice = await rep(siteId, "alice");
    // Alice is busy with a first customer; a second waits ahead of ours.
    const first = await customerAhead(siteId, "Ann");
    await alice.acceptNext(first);
    const second = await customerAhead(siteId, "Ben");

    const widget = await open(siteId);
    const { page, ui } = widget;
    await ui.getByText("Our phone line is down today; chat works.").waitFor();
    await ui.getByLabel("Topic").selectOption("general");
    await ui.getByLabel("Your name").fill("Carl");
    await ui.getByLabel("What is the problem?").fill("The router blinks red.");
    await ui.getByRole("button", { name: "Continue" }).first().click();
    await checkView(widget, "portal-agreement");
    const started = answered(widget, "/sessions");
    await agree(widget, "Allow recording");
    expect((await started).status()).toBe(201);
    await ui.getByText("You are number 2 in the queue.").waitFor();
    await ui.getByRole("log").getByText("Hello! You are number 2.").waitFor();
    await checkView(widget, "portal-waiting");

    // Alice finishes with Ann and takes Ben: our customer moves up, then is offered to her.
    await alice.client.end(first, "resolved");
    await alice.acceptNext(second);
    await ui.getByText("You are next.").waitFor();
    await alice.client.end(second, "resolved");
    const ours = await alice.acceptNext();
    await ui.getByRole("heading", { name: "Chat" }).waitFor();
    await ui.getByRole("log").getByText("alice joined.").waitFor();

    await alice.client.sendChat(ours, "Hello Carl, let me have a look.");
    await ui.getByRole("log").getByText("Hello Carl, let me have a look.").waitFor();
    await ui.getByRole("textbox", { name: "Message" }).fill("Thank you!");
    await ui.getByRole("textbox", { name: "Message" }).press("Enter");
    await ui.getByRole("log").getByText("Thank you!").waitFor();
    const said = await alice.event(ours, (e) => e.chatMessageSent?.text === "Thank you!");
    expect(said.chatMessageSent).toBeDefined();
    await checkView(widget, "portal-chat");
    await expectButtonsInView(widget, ["Send a file", "End session", "Send"]);

    await alice.client.requestPermission(ours, "view");
    await ui.getByRole("group", { name: "alice asks to view your screen." }).waitFor();
    await checkView(widget, "portal-permission-prompt");
    await ui.getByRole("button", { name: "Allow" }).click();
    await ui.getByRole("button", { name: "Stop sharing" }).waitFor();
    await alice.event(ours, (e) => e.permissionChanged?.change === "PERMISSION_CHANGE_GRANTED");
    await checkView(widget, "portal-sharing");
    await ui.getByRole("button", { name: "Stop sharing" }).click();
    await ui.getByRole("button", { name: "Stop sharing" }).waitFor({ state: "hidden" });
    await alice.event(ours, (e) => e.permissionChanged?.change === "PERMISSION_CHANGE_REVOKED");

    // The customer asks to send a file: only its name and size reach the rep, who declines, then allows the next.
    const chooseFile = async (name: string, bytes: number) => {
      const chooser = page.waitForEvent("filechooser");
      await ui.getByRole("button", { name: "Send a file" }).click();
      await (await chooser).setFiles({ name, mimeType: "text/plain", buffer: Buffer.alloc(bytes, 120) });
    };
    await chooseFile("router-log.txt", 2048);
    const asked = await alice.event(ours, (e) => e.fileSendRequested?.fileName === "router-log.txt");
    expect(asked.fileSendRequested?.sizeBytes).toBe(2048);
    await ui.getByRole("log").getByText("You asked to send router-log.txt.").waitFor();
    expect(await ui.getByRole("button", { name: "Send a file" }).isDisabled()).toBe(true);
    await alice.client.answerFileSend(ours, asked.fileSendRequested!.requestId, false);
    await ui.getByRole("log").getByText("alice declined router-log.txt.").waitFor();
    await chooseFile("photo.txt", 10);
    const again = await alice.event(ours, (e) => e.fileSendRequested?.fileName === "photo.txt");
    await alice.client.answerFileSend(ours, again.fileSendRequested!.requestId, true);
    await ui.getByRole("log").getByText("alice accepts photo.txt: the support client will transfer it.").waitFor();
    await checkView(widget, "portal-file-send");
    // The whole in-session view fits the frame: the log scrolls, the buttons under it are not cut off.
    await expectButtonsInView(widget, ["Send a file", "End session", "Send", "Minimise"]);

    await ui.getByRole("button", { name: "End session" }).click();
    await ui.getByRole("heading", { name: "How did we do?" }).waitFor();
    await checkView(widget, "portal-survey");
    await ui.getByLabel("5 – very good").check();
    await ui.getByLabel("Comment (optional)").fill("Fixed in minutes.");
    const survey = answered(widget, "/survey");
    await ui.getByRole("button", { name: "Send" }).click();
    expect((await survey).status()).toBe(204);
    await ui.getByRole("heading", { name: "Thank you for contacting us." }).waitFor();
    expect(unexpectedErrors(widget.errors)).toEqual([]);
  });

  it("works by keyboard alone: launcher, a rep from the list, agreement, chat, end and survey", async () => {
    const siteId = await site();
    const bob = await rep(siteId, "bob");
    const widget = await open(siteId, { keyboard: true });
    const { page, ui } = widget;
    const tabTo = async (name: string, role: "button" | "checkbox" | "radio" | "textbox" = "button") => {
      const target = ui.getByRole(role, { name, exact: true });
      await target.waitFor();
      for (let i = 0; i < 40; i++) {
        if (await target.evaluate((element) => element === document.activeElement)) return;
        await page.keyboard.press("Tab");
      }
      throw new Error(`Tab never reached ${name}`);
    };
    await tabTo("Talk to bob");
    await page.keyboard.press("Enter");
    await tabTo("I accept the agreement", "checkbox");
    await page.keyboard.press("Space");
    await tabTo("Start");
    await page.keyboard.press("Enter");
    const session = await bob.acceptNext();
    await ui.getByRole("heading", { name: "Chat" }).waitFor();
    await tabTo("Message", "textbox");
    await page.keyboard.type("Typed without a mouse.");
    await page.keyboard.press("Enter");
    await bob.event(session, (e) => e.chatMessageSent?.text === "Typed without a mouse.");
    await tabTo("End session");
    await page.keyboard.press("Enter");
    // A radio group is one Tab stop (the checked one); arrows choose within it.
    await tabTo("5 – very good", "radio");
    await page.keyboard.press("ArrowUp");
    expect(await ui.getByRole("radio", { name: "4 – good" }).isChecked()).toBe(true);
    await tabTo("Send");
    const survey = answered(widget, "/survey");
    await page.keyboard.press("Enter");
    expect((await survey).status()).toBe(204);
    await ui.getByRole("heading", { name: "Thank you for contacting us." }).waitFor();
  });

  it("starts with a session key the rep gives out, even while the portal is closed, and says when it opens", async () => {
    const siteId = await site({ schedule: closedAroundNow() });
    const alice = await rep(siteId, "alice");
    const key = await alice.client.createSessionKey();
    const widget = await open(siteId);
    const { ui } = widget;
    await ui.getByText(/We are closed\. We open again/).waitFor();
    expect(await ui.getByRole("button", { name: "Talk to alice" }).count()).toBe(0);
    expect(await ui.getByLabel("Topic").count()).toBe(0);
    await checkView(widget, "portal-closed");
    await ui.getByLabel("Session key", { exact: true }).fill(key.displayKey);
    await ui.getByRole("button", { name: "Continue" }).click();
    await agree(widget);
    const session = await alice.acceptNext();
    await ui.getByRole("heading", { name: "Chat" }).waitFor();

    // A closed portal lists no reps: the stream's frames name her (the portal config names no reps, so by id).
    await ui.getByRole("log").getByText("alice joined.").waitFor();
    await alice.client.requestPermission(session, "control");
    await ui.getByRole("group", { name: "alice asks to control your computer." }).waitFor();
    await ui.getByRole("button", { name: "Deny" }).click();
    await alice.event(session, (e) => e.permissionChanged?.change === "PERMISSION_CHANGE_DENIED");
    await ui.getByRole("log").getByText("You denied: control your computer.").waitFor();
    expect(await ui.getByRole("button", { name: "Stop sharing" }).count()).toBe(0);
  });

  it("leaves the queue from a notice: abandoned at once, and no exit survey", async () => {
    const siteId = await site();
    const alice = await rep(siteId, "alice");
    await alice.client.setState("away");
    const widget = await open(siteId);
    const { ui } = widget;
    await ui.getByLabel("What is the problem?").fill("Slow internet.");
    await ui.getByRole("button", { name: "Continue" }).first().click();
    await agree(widget);
    await ui.getByRole("heading", { name: "Waiting for a support rep" }).waitFor();
    const left = answered(widget, "/end");
    await ui.getByRole("button", { name: "Leave because of this notice" }).click();
    expect(JSON.parse((await left).request().postData() ?? "{}")).toEqual({ reason: "notice" });
    await ui.getByRole("heading", { name: "The session has ended." }).waitFor();
    expect(await ui.getByRole("heading", { name: "How did we do?" }).count()).toBe(0);
  });

  it("opens at the agreement for an invitation link and starts the invited session", async () => {
    const siteId = await site();
    const alice = await rep(siteId, "alice");
    const invitation = await alice.client.createInvitation({ channel: "chat" });
    const { page, errors } = await openHostPage(browser, host.url({ siteId, invitationToken: invitation.token }));
    const widget = { page, errors, ...widgetFrame(page) };
    opened.push(widget);
    await widget.ui.getByText("You were invited to a support session.").waitFor();
    await checkView(widget, "portal-invitation");
    await agree(widget);
    await alice.acceptNext();
    await widget.ui.getByRole("heading", { name: "Chat" }).waitFor();
  });

  it("tells at once when no rep is available, with the fallback link", async () => {
    const siteId = await site();
    const widget = await open(siteId);
    const { ui } = widget;
    await ui.getByText("No support rep is signed in right now.").waitFor();
    await ui.getByLabel("Topic").selectOption("general");
    await ui.getByLabel("What is the problem?").fill("Nobody there?");
    await ui.getByRole("button", { name: "Continue" }).first().click();
    await agree(widget);
    await ui.getByText("No support rep is available right now.").first().waitFor();
    expect(await ui.getByRole("link", { name: "Other ways to get help" }).getAttribute("href")).toBe(
      "https://help.example.com/contact",
    );
    await checkView(widget, "portal-no-rep");
  });

  it("serves the loader to any origin and lands the broker's invitation links on the demo page", async () => {
    const loader = await fetch(`${stack.publicUrl}/widget/loader.js`);
    expect(loader.status).toBe(200);
    expect(loader.headers.get("content-type")).toMatch(/javascript/);
    expect(loader.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    const invite = await fetch(`${stack.publicUrl}/invite/abcdefghijklmnopqrstuv`, { redirect: "manual" });
    expect([invite.status, invite.headers.get("location")]).toEqual([
      302,
      "/demo/?handoff-invitation=abcdefghijklmnopqrstuv",
    ]);
    expect((await fetch(`${stack.publicUrl}/invite/not%20a%20token`, { redirect: "manual" })).status).toBe(404);
  });

  it("serves the demo host page under a strict CSP, with the widget working in it", async () => {
    const widget = await openWidget(browser, `${stack.publicUrl}/demo/`);
    opened.push(widget);
    const csp = (await fetch(`${stack.publicUrl}/demo/`)).headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    // The demo site may or may not be configured in this database: either way the frame runs and says so.
    await widget.ui.locator("h2").first().waitFor();
    expect(await widget.page.getByRole("button", { name: "Close help" }).getAttribute("aria-expanded")).toBe("true");
    expect(await seriousAxeViolations(widget.page)).toEqual([]);
    expect(unexpectedErrors(widget.errors).filter((error) => !/status of 5\d\d/.test(error))).toEqual([]);
  });

  it("passes the host site's identity token: the form shows its fields locked and intake marks them verified", async () => {
    const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "web-1", alg: "EdDSA", use: "sig" };
    const siteId = await site({ identityKeys: { keys: [jwk] } });
    await rep(siteId, "alice");
    const token = await new SignJWT({ name: "Vera Verified", company: "Acme" })
      .setProtectedHeader({ alg: "EdDSA", kid: "web-1" })
      .setAudience(siteId)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    const widget = await openWidget(browser, host.url({ siteId, identityToken: token }));
    opened.push(widget);
    const { ui } = widget;
    expect(await ui.getByLabel("Your name (verified)").inputValue()).toBe("Vera Verified");
    await ui.getByLabel("What is the problem?").fill("Who am I?");
    await ui.getByRole("button", { name: "Continue" }).first().click();
    const started = answered(widget, "/sessions");
    await agree(widget);
    const answer = await started;
    expect(answer.status()).toBe(201);
    expect(((await answer.json()) as { verifiedFields: string[] }).verifiedFields.sort()).toEqual(["company", "name"]);
  });

  it("is refused by intake for a site that does not allow the host page's origin", async () => {
    const siteId = await stack.site(routing, portalConfig("https://elsewhere.example"), newSiteId());
    const { page } = await openWidget(browser, host.url({ siteId }));
    opened.push({ page, errors: [], ...widgetFrame(page) });
    const response = await fetch(`${stack.publicUrl}/widget/frame.html?site=${siteId}`);
    expect(response.headers.get("content-security-policy")).toContain(
      "frame-ancestors 'self' https://elsewhere.example",
    );
    // Chromium refuses to render the frame: its document never gets the widget's heading.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await widgetFrame(page).ui.getByRole("heading").count()).toBe(0);
  });
});
