import { issueRequest, siteWithTeams, teamConfig, type SessionBroker, type SessionStack } from "@handoff/testing";
import type { AgentClient, AgentEvents } from "@handoff/agent-sdk";

/** A new site with team `t1` (members `reps`) taking problem type `general`. */
export const siteWithTeam = (stack: SessionStack, reps: string[]): Promise<string> =>
  siteWithTeams(stack, [teamConfig("t1", { memberRepIds: reps })]);

/** A customer's issue submission for problem type `general` (through `broker`); returns the session id. */
export async function customerAsksForHelp(
  stack: SessionStack,
  siteId: string,
  broker: SessionBroker = stack.broker,
): Promise<string> {
  const response = await broker.createSession(issueRequest(siteId));
  return response.session!.sessionId;
}

/** Everything a client emitted, in order. */
export function recorder(client: AgentClient) {
  const seen = {
    offers: [] as AgentEvents["offer"][],
    invitations: [] as AgentEvents["invitation"][],
    sessions: [] as AgentEvents["session"][],
    presence: [] as AgentEvents["presence"][],
    resyncs: [] as AgentEvents["resync"][],
    connected: [] as AgentEvents["connected"][],
    disconnected: [] as AgentEvents["disconnected"][],
    /** Sequences of log events (offer, session, presence), in delivery order. */
    seqs: [] as number[],
  };
  client.on("offer", (e) => {
    seen.offers.push(e);
    seen.seqs.push(e.seq);
  });
  client.on("invitation", (e) => {
    seen.invitations.push(e);
    seen.seqs.push(e.seq);
  });
  client.on("session", (e) => {
    seen.sessions.push(e);
    seen.seqs.push(e.seq);
  });
  client.on("presence", (e) => {
    seen.presence.push(e);
    seen.seqs.push(e.seq);
  });
  client.on("resync", (e) => seen.resyncs.push(e));
  client.on("connected", (e) => seen.connected.push(e));
  client.on("disconnected", (e) => seen.disconnected.push(e));
  return seen;
}
