import { status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionState } from "@handoff/proto/common";
import { asSupervisor, eventually, issueRequest, SessionStack, teamConfig, siteWithTeams } from "@handoff/testing";
import pg from "pg";

describe("an assignment PostgreSQL cannot commit", () => {
  let stack: SessionStack;
  let db: pg.Pool;
  beforeAll(async () => {
    stack = await SessionStack.start();
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  it("is put back in the acd at its place, so neither store keeps a ghost assignment", async () => {
    const siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["alice", "bob"] })]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const created = await stack.broker.createSession(issueRequest(siteId));
    const sessionId = created.session!.sessionId;
    const offered = await eventually(async () => {
      const { session } = await stack.broker.getSession({ siteId, sessionId, requester: asSupervisor("sam") });
      return session?.state === SessionState.SESSION_STATE_OFFERED ? session : undefined;
    });

    // A real failure of the commit, for this session only: PostgreSQL refuses to make it active.
    const trigger = `fail_${sessionId.replaceAll("-", "")}`;
    await db.query(`create function ${trigger}() returns trigger language plpgsql as $$
      begin raise exception 'injected commit failure'; end $$`);
    await db.query(`create trigger ${trigger} before update on sessions for each row
      when (new.session_id = '${sessionId}' and new.state = 'active') execute function ${trigger}()`);
    try {
      const error = (await stack.broker
        .acceptSessionOffer({ siteId, sessionId, repId: "alice", epoch: offered.epoch })
        .then(
          () => undefined,
          (e: unknown) => e,
        )) as ServiceError | undefined;
      expect(error?.code).toBe(status.INTERNAL);

      // The acd took the session back at a new epoch (it is not offered to Alice again), and so did PostgreSQL.
      const routing = await eventually(async () => {
        const r = await stack.acd.getSessionRouting({ siteId, sessionId });
        return r.epoch > offered.epoch ? r : undefined;
      });
      expect(routing.state).toBe(SessionState.SESSION_STATE_WAITING);
      const waiting = await eventually(async () => {
        const { session } = await stack.broker.getSession({ siteId, sessionId, requester: asSupervisor("sam") });
        return session?.state === SessionState.SESSION_STATE_WAITING ? session : undefined;
      });
      expect(waiting.epoch).toBe(routing.epoch);
      const assigned = await db.query(
        "select 1 from session_events where site_id = $1 and session_id = $2 and type = 'sessionAssigned'",
        [siteId, sessionId],
      );
      expect(assigned.rowCount).toBe(0);
      expect((await stack.acd.getRepRouting({ siteId, repId: "alice" })).active).toBe(0);
    } finally {
      await db.query(`drop trigger ${trigger} on sessions`);
      await db.query(`drop function ${trigger}()`);
    }

    // Once PostgreSQL works again, the next offer (to Bob) is accepted normally.
    await stack.repOnline(siteId, "bob", ["t1"]);
    const again = await eventually(async () => {
      const { session } = await stack.broker.getSession({ siteId, sessionId, requester: asSupervisor("sam") });
      return session?.state === SessionState.SESSION_STATE_OFFERED && session.epoch > offered.epoch
        ? session
        : undefined;
    });
    expect(again.repId).toBe("bob");
    const accepted = await stack.broker.acceptSessionOffer({ siteId, sessionId, repId: "bob", epoch: again.epoch });
    expect(accepted.session?.state).toBe(SessionState.SESSION_STATE_ACTIVE);
  });
});
