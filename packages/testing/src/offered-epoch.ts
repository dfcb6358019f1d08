import { SessionState } from "@handoff/proto/common";
import { eventually } from "./eventually";
import { asSupervisor } from "./session-requests";
import type { SessionBroker } from "./session-stack";

/**
 * Waits until the broker shows the session offered (to `repId` when given) and returns the offer's
 * epoch, which an accept must name.
 */
export async function offeredEpoch(
  broker: SessionBroker,
  siteId: string,
  sessionId: string,
  repId?: string,
): Promise<number> {
  const session = await eventually(
    async () => {
      const s = (await broker.getSession({ siteId, sessionId, requester: asSupervisor() })).session;
      const offered = s?.state === SessionState.SESSION_STATE_OFFERED && (repId === undefined || s.repId === repId);
      return offered ? s : undefined;
    },
    20_000,
    `offer of ${sessionId}${repId ? ` to ${repId}` : ""}`,
  );
  return session.epoch;
}
