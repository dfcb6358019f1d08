import type { AgentClient, SessionView } from "@handoff/agent-sdk";

export async function readSession(client: AgentClient, sessionId: string): Promise<SessionView> {
  return (await client.getSession(sessionId)).session;
}

/** "Carl Customer (Acme)" */
export function customerOf(session: SessionView): string {
  const { name, company } = session.customer;
  return `${name || "A customer"}${company ? ` (${company})` : ""}`;
}

/** How the customer joined: the rep can only chat with a click-to-chat customer (no screen, no files). */
export function clientModeOf(session: SessionView): string {
  if (session.clientMode === "full_client") return "Full client";
  if (session.clientMode === "click_to_chat") return "Chat only (click-to-chat)";
  return "Client mode not recorded";
}
