import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import type { Acd } from "../support/acd-client";
import { redisBackends, runAcd } from "../support/acd-under-test";
import { enqueueInTeam, repOnline, repTarget, team, teamTarget } from "../support/routing-fixture";

describe.each(redisBackends)("the wait a newcomer would get, on %s", (_name, redisEnv) => {
  const running = runAcd(redisEnv);
  let acd: Acd;
  beforeAll(() => {
    acd = running.acd;
  });

  const enqueue = (siteId: string, sessionId: string) => enqueueInTeam(acd, siteId, sessionId);

  it("places him at the end of the queue of a team, a problem type's team or a rep, without queueing him", async () => {
    const siteId = await running.siteWith(
      [team("support")],
      [{ id: "printer", label: "Printer", teamId: "support", priority: 0, requiredSkills: [] }],
    );
    await repOnline(acd, siteId, "alice", ["support"], 1);
    await enqueue(siteId, "s1");
    await enqueue(siteId, "s2");
    await enqueue(siteId, "s3");

    const byTeam = await acd.estimateWait({ siteId, target: teamTarget("support"), problemTypeId: "" });
    expect(byTeam.position).toMatchObject({ position: 3, queueLength: 2 });
    // Too little handle-time history for an estimate yet.
    expect(byTeam.position?.estimate).toEqual({ p50Ms: 0, p90Ms: 0, known: false });
    const byProblem = await acd.estimateWait({ siteId, target: undefined, problemTypeId: "printer" });
    expect(byProblem.position).toEqual(byTeam.position);
    expect((await acd.getTeamAvailability({ siteId, teamId: "support" })).waiting).toBe(2);

    const byRep = await acd.estimateWait({ siteId, target: repTarget("alice"), problemTypeId: "" });
    expect(byRep.position).toMatchObject({ position: 1, queueLength: 0 });
  });

  it("refuses an unknown team or problem type", async () => {
    const siteId = await running.siteWith();
    for (const [request, unknown] of [
      [{ target: teamTarget("nobody"), problemTypeId: "" }, "nobody"],
      [{ target: undefined, problemTypeId: "coffee" }, "coffee"],
    ] as const) {
      const refused = await acd.estimateWait({ siteId, ...request }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: status.INVALID_ARGUMENT });
      expect((refused as { details: string }).details).toContain(unknown);
    }
  });
});
