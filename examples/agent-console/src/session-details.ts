import type { AgentClient, SessionView } from "@handoff/agent-sdk";

export async function readSession(client: AgentClient, sessionId: string): Promise<SessionView> {
  return (await client.getSession(sessionId)).session;
}

/** "Carl Customer (Acme)" */
export function customerOf(session: SessionView): string {
  const { name, company } = session.customer;
  return `${name || "A customer"}${company ? ` (${company})` : ""}`;
}
