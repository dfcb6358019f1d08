import { credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { AcdServiceClient } from "@handoff/proto/acd_service";
import { SessionState } from "@handoff/proto/common";
import { ACD_CALLERS, type ServiceIdentity } from "@handoff/runtime";
import { connectAcd, infrastructureEnv } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribeOffers, type Acd } from "../support/acd-client";
import { grpcError, runAcd } from "../support/acd-under-test";
import { repOnline, team, teamTarget } from "../support/routing-fixture";

// Issue 11, "Anyone who reaches a gRPC port can steer routing": each step the issue measured without
// credentials, tried again with no certificate or with the certificate of a service the acd's callers
// table does not allow; each is refused and routing state stays as it was.
describe("the acd's callers", () => {
  const running = runAcd(() => ({ REDIS_URL: infrastructureEnv().REDIS_URL }));
  let acd: Acd;
  let address: string;
  const intruders: Acd[] = [];
  /** An acd client calling every method as `identity`. */
  const as = (identity: ServiceIdentity): Acd => {
    const client = connectAcd(address, identity);
    intruders.push(client);
    return client;
  };
  beforeAll(() => {
    acd = running.acd;
    address = running.address();
  });
  afterAll(() => intruders.forEach((client) => client.close()));

  const session = (siteId: string, sessionId: string) => ({
    siteId,
    sessionId,
    target: teamTarget("support"),
    problemTypeId: "",
    priority: 0,
    requiredSkills: [],
  });

  it("refuses a client without a certificate: the TLS handshake fails and the config stays", async () => {
    const siteId = await running.siteWith();
    const plaintext = new AcdServiceClient(address, credentials.createInsecure());
    try {
      const refused = await new Promise<ServiceError | null>((resolve) =>
        plaintext.putRoutingConfig(
          { siteId, config: { teams: [team("hijacked")], problemTypes: [], version: 0 } },
          new Metadata(),
          { deadline: Date.now() + 5_000 },
          (error) => resolve(error),
        ),
      );
      expect(refused?.code).toBe(status.UNAVAILABLE);
    } finally {
      plaintext.close();
    }
    const stored = await acd.getRoutingConfig({ siteId });
    expect(stored.config?.teams.map((t) => t.id)).toEqual(["support"]);
  });

  it("lets only the admin path (intake) replace a site's routing config", async () => {
    const siteId = await running.siteWith();
    for (const identity of ["session-broker", "presence", "reporting", "acd"] as const) {
      const error = await grpcError(
        as(identity).putRoutingConfig({ siteId, config: { teams: [team("hijacked")], problemTypes: [], version: 0 } }),
      );
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(error.details).toContain(`${identity} may not call /handoff.v1.AcdService/PutRoutingConfig`);
    }
    expect((await acd.getRoutingConfig({ siteId })).config?.teams.map((t) => t.id)).toEqual(["support"]);
  });

  it("lets only presence push a rep's capacity, so no other caller can make a rep routable or pin his version", async () => {
    const siteId = await running.siteWith();
    const before = await acd.getRepRouting({ siteId, repId: "mallory" });
    for (const identity of ["session-broker", "intake", "reporting"] as const) {
      const error = await grpcError(
        as(identity).setRepCapacity({
          siteId,
          repId: "mallory",
          teamIds: ["support"],
          skills: [],
          routableCapacity: 5,
          version: Number.MAX_SAFE_INTEGER,
          connected: true,
        }),
      );
      expect(error.code).toBe(status.PERMISSION_DENIED);
    }
    expect(await acd.getRepRouting({ siteId, repId: "mallory" })).toEqual(before);
    await acd.enqueueSession(session(siteId, "waiting"));
    expect((await acd.getSessionRouting({ siteId, sessionId: "waiting" })).state).toBe(
      SessionState.SESSION_STATE_WAITING,
    );
  });

  it("keeps a broker's offer stream and its offers from any other service reusing its subscriber id", async () => {
    const siteId = await running.siteWith();
    await repOnline(acd, siteId, "alice", ["support"]);
    const broker = await subscribeOffers(acd, siteId, ["alice"], "broker-1");
    const intruder = as("presence").raw.subscribeOffers({ siteId, subscriberId: "broker-1", repIds: ["alice"] });
    const intruderStatus = await new Promise<{ code: number }>((resolve) => {
      intruder.on("error", () => undefined);
      intruder.once("status", resolve);
    });
    expect(intruderStatus.code).toBe(status.PERMISSION_DENIED);

    await acd.enqueueSession(session(siteId, "s1"));
    const offer = await broker.next((o) => o.sessionId === "s1");
    const stolen = await grpcError(
      as("intake").acceptOffer({ siteId, sessionId: "s1", repId: "alice", epoch: offer.epoch }),
    );
    expect(stolen.code).toBe(status.PERMISSION_DENIED);
    expect(await acd.getSessionRouting({ siteId, sessionId: "s1" })).toMatchObject({
      state: SessionState.SESSION_STATE_OFFERED,
      repId: "alice",
    });
    await acd.acceptOffer({ siteId, sessionId: "s1", repId: "alice", epoch: offer.epoch });
    broker.close();
  });

  it("lets only the broker rebuild queues and end sessions", async () => {
    const siteId = await running.siteWith();
    await acd.enqueueSession(session(siteId, "first"));
    for (const identity of ["intake", "presence", "reporting"] as const) {
      const rebuild = await grpcError(as(identity).rebuildQueues({ siteId, sessions: [], held: [] }));
      expect(rebuild.code).toBe(status.PERMISSION_DENIED);
      const end = await grpcError(as(identity).endSession({ siteId, sessionId: "first", epoch: 1 }));
      expect(end.code).toBe(status.PERMISSION_DENIED);
    }
    expect(await acd.getQueuePosition({ siteId, sessionId: "first", recordEstimate: false })).toMatchObject({
      state: SessionState.SESSION_STATE_WAITING,
      position: { position: 1 },
    });
  });

  it("names in its callers table a caller for every method it serves", () => {
    for (const [method, callers] of Object.entries(ACD_CALLERS)) expect(callers.length, method).toBeGreaterThan(0);
  });
});
