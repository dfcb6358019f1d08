import type { AgentClient, SessionView } from "@handoff/agent-sdk";

/**
 * The fields of the agent API's `Session` (its OpenAPI document) that the console shows; the SDK's
 * `SessionView` names only the id and the state.
 */
export interface SessionDetails extends SessionView {
  startMethod: string;
  target: { kind: "team" | "rep"; id: string } | null;
  customer: { name: string; company: string; email: string; description: string; locale: string };
  repId: string | null;
  epoch: number;
  offerExpiresAtMs: number | null;
  participants: { repId: string; primary: boolean; joinedAtMs: number; disconnected: boolean }[];
  granted: { permission: string; application: string; grantedAtMs: number }[];
}

export const detailsOf = (view: SessionView): SessionDetails => view as SessionDetails;

export async function readSession(client: AgentClient, sessionId: string): Promise<SessionDetails> {
  const { session } = (await client.getSession(sessionId)) as { session: SessionDetails };
  return session;
}

/** "Carl Customer (Acme)" */
export function customerOf(session: SessionDetails): string {
  const { name, company } = session.customer;
  return `${name || "A customer"}${company ? ` (${company})` : ""}`;
}
