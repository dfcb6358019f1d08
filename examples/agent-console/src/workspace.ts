import { AgentClient, type SessionView } from "@handoff/agent-sdk";
import { attempt, type Announcer } from "./announcer.js";
import { CustomerInvitePanel } from "./customer-invite-panel.js";
import { h } from "./dom.js";
import { OffersPanel } from "./offers-panel.js";
import { PresencePanel } from "./presence-panel.js";
import { QueuesPanel } from "./queues-panel.js";
import { SessionsPanel } from "./sessions-panel.js";
import type { Credentials } from "./sign-in.js";

/**
 * The signed-in console: one AgentClient (one socket for this desktop) feeding the presence, offers,
 * sessions and queues panels. Everything the rep sees comes from the SDK's commands and events.
 */
export async function openWorkspace(
  credentials: Credentials,
  announcer: Announcer,
  signedOut: () => void,
): Promise<HTMLElement> {
  const client = new AgentClient({ baseUrl: location.origin, token: credentials.token });
  const presence = new PresencePanel(client, announcer);
  const sessions = new SessionsPanel(client, announcer, credentials.repId);
  const offers = new OffersPanel(client, announcer, (session) => sessions.add(session));
  const queues = new QueuesPanel(client, announcer);
  const invite = new CustomerInvitePanel(client, announcer);
  const connection = h("span", { class: "connection" }, "Connecting…");

  /** Shows what the broker holds for the rep: at sign-in, and when it could not replay what was missed. */
  const reconcile = (current: SessionView[]) => {
    const all = current;
    for (const session of all)
      if (session.state === "offered" && session.repId === credentials.repId && session.offerExpiresAtMs)
        void offers.add({ sessionId: session.sessionId, epoch: session.epoch, expiresAtMs: session.offerExpiresAtMs });
    sessions.replaceWith(all.filter((s) => s.state === "active"));
  };

  client.on("connected", ({ resumed }) => {
    connection.textContent = "Live";
    if (resumed) announcer.say("Connection back; nothing was missed.");
  });
  client.on("disconnected", ({ reconnecting, code }) => {
    connection.textContent = reconnecting ? "Reconnecting…" : `Disconnected (${code})`;
  });
  client.on("offer", ({ offer }) => void offers.add(offer));
  client.on("session", ({ sessionId, event }) => {
    // An offer ends when it lapses, is taken by anyone, or the customer goes.
    if (offers.has(sessionId) && (event.sessionOfferLapsed || event.sessionAssigned || event.sessionClosed))
      offers.remove(sessionId);
    void sessions.apply(sessionId, event);
  });
  client.on("presence", () => void presence.refresh());
  client.on("resync", ({ sessions: current }) => reconcile(current));

  const ticker = setInterval(() => {
    const now = Date.now();
    offers.tick(now);
    queues.tick(now);
  }, 250);

  const signOut = h("button", { type: "button", class: "sign-out" }, "Sign out");
  signOut.addEventListener(
    "click",
    () =>
      void attempt(announcer, "Signing out failed", async () => {
        try {
          await client.logout();
        } finally {
          clearInterval(ticker);
          queues.stop();
          client.close();
          signedOut();
        }
      }),
  );

  try {
    // An HTTP call first: a refused token is a 401 at once, where the socket would retry it.
    await client.me();
    await client.connect();
  } catch (error) {
    clearInterval(ticker);
    client.close();
    throw error;
  }
  connection.textContent = "Live";
  await presence.refresh();
  reconcile(await client.listSessions());
  queues.start();
  announcer.say(`Signed in as ${credentials.repId} at ${credentials.siteId}.`);

  return h(
    "div",
    { class: "workspace" },
    h(
      "div",
      { class: "bar" },
      h("p", {}, `Signed in as `, h("strong", {}, credentials.repId), ` at ${credentials.siteId} · `, connection),
      signOut,
    ),
    h(
      "div",
      { class: "columns" },
      h("div", {}, presence.element, offers.element, queues.element, invite.element),
      sessions.element,
    ),
  );
}
