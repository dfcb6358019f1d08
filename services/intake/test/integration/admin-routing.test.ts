import { DEPENDENCY_RETRY_AFTER_S } from "@handoff/runtime";
import { connectAcd, type Acd } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminStack } from "../support/admin-stack";
import { demoRouting } from "../support/portal-configs";

const ROUTING = "/v1/admin/routing-config";

let stack: AdminStack;
let acd: Acd;
beforeAll(async () => {
  stack = await AdminStack.start();
  acd = connectAcd(`127.0.0.1:${stack.acd.grpcPort}`);
});
afterAll(async () => {
  await stack?.stop();
});

describe("routing config through the admin API", () => {
  it("is forwarded to the acd, which holds it, and read back from there", async () => {
    const { siteId, token } = await stack.site();
    expect(await stack.call("GET", ROUTING, token)).toMatchObject({
      status: 404,
      body: { reason: "ROUTING_CONFIG_NOT_FOUND" },
    });

    const put = await stack.call("PUT", ROUTING, token, demoRouting());
    expect(put).toMatchObject({ status: 200, body: { version: 1 } });
    const held = (await acd.getRoutingConfig({ siteId })).config;
    expect(held?.teams.map((t) => [t.id, t.memberRepIds])).toEqual([
      ["support", ["alice", "bob"]],
      ["billing", ["carol"]],
    ]);

    const read = await stack.call("GET", ROUTING, token);
    expect(read).toMatchObject({ status: 200, etag: '"1"' });
    // What was sent, with the acd's defaults filled in (offer timeout) and its version.
    expect(read.body).toEqual({
      version: 1,
      teams: demoRouting().teams.map((t) => ({ ...t, offerTimeoutMs: 30_000 })),
      problemTypes: demoRouting().problemTypes,
    });

    const changed = { ...demoRouting(), problemTypes: [{ id: "modem", label: "Modem", teamId: "support" }] };
    expect(await stack.call("PUT", ROUTING, token, changed)).toMatchObject({ status: 200, body: { version: 2 } });
    expect((await stack.call("GET", ROUTING, token)).body.problemTypes).toEqual([
      { id: "modem", label: "Modem", teamId: "support", priority: 0, requiredSkills: [] },
    ]);
  });

  it("names the field the acd refuses, in the admin API's JSON, and the acd keeps what it had", async () => {
    const { token } = await stack.site();
    await stack.call("PUT", ROUTING, token, demoRouting());
    const refusals: [unknown, string][] = [
      [{ ...demoRouting(), problemTypes: [{ id: "x", label: "X", teamId: "sales" }] }, "problemTypes.0.teamId"],
      [{ teams: [{ id: "support", name: "Support", offerTimeoutMs: 50 }] }, "teams.0.offerTimeoutMs"],
      [
        {
          teams: [
            { id: "a", name: "A" },
            { id: "a", name: "Again" },
          ],
        },
        "teams.1.id",
      ],
      [
        { teams: [{ id: "a", name: "A", overflow: [{ afterMs: 1_000, addTeamIds: ["a"] }] }] },
        "teams.0.overflow.0.addTeamIds.0",
      ],
    ];
    for (const [config, field] of refusals)
      expect(await stack.call("PUT", ROUTING, token, config)).toMatchObject({
        status: 400,
        body: { field, reason: "ROUTING_CONFIG_INVALID" },
      });
    // Shapes are checked before the acd is asked.
    expect(
      await stack.call("PUT", ROUTING, token, { teams: [{ id: "a", name: "A", strategy: "random" }] }),
    ).toMatchObject({
      status: 400,
      body: { field: "teams.0.strategy" },
    });
    expect((await stack.call("GET", ROUTING, token)).body).toMatchObject({
      version: 1,
      teams: [{ id: "support" }, { id: "billing" }],
    });
  });

  it("answers 503 naming the acd, with when to ask again, while the acd does not answer", async () => {
    const { token } = await stack.site();
    await stack.acd.stop();
    expect(await stack.call("PUT", ROUTING, token, demoRouting())).toMatchObject({
      status: 503,
      body: { reason: "ACD_UNAVAILABLE", dependency: "acd", retryAfterS: DEPENDENCY_RETRY_AFTER_S },
    });
    expect(await stack.call("GET", ROUTING, token)).toMatchObject({ status: 503 });
  });
});
