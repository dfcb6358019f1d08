import { credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { AcdServiceClient, type Offer, type SubscribeOffersResponse } from "@handoff/proto/acd_service";
import { SessionState } from "@handoff/proto/common";
import { ACD_CALLERS, errorInfo, type ServiceIdentity } from "@handoff/runtime";
import { connectAcd, eventually, infrastructureEnv } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribeOffers, type Acd } from "../support/acd-client";
import { grpcError, runAcd } from "../support/acd-under-test";
import { MAX_CAPACITY_VERSION_STEP as MAX_STEP } from "../../src/domain/limits";
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

  it("counts a rep only in the teams whose members list him, whatever a capacity push says", async () => {
    // The issue: a push for a rep presence had refused (not a member) made him routable in the team,
    // and he received its customer. Now the acd checks the site's config itself.
    const siteId = await running.siteWith([
      team("support", { memberRepIds: ["alice"] }),
      team("sales", { memberRepIds: ["alice", "bob"] }),
    ]);
    await acd.enqueueSession(session(siteId, "waiting"));
    const push = (repId: string, version: number) =>
      acd.setRepCapacity({
        siteId,
        repId,
        teamIds: ["support", "sales"],
        skills: [],
        routableCapacity: 1,
        version,
        connected: true,
      });
    expect(await push("bob", 1)).toEqual({ applied: true, storedVersion: 1 });
    expect((await acd.getRepRouting({ siteId, repId: "bob" })).teamIds).toEqual(["sales"]);
    expect(await push("mallory", 1)).toEqual({ applied: true, storedVersion: 1 });
    expect((await acd.getRepRouting({ siteId, repId: "mallory" })).teamIds).toEqual([]);
    expect(await acd.getTeamAvailability({ siteId, teamId: "support" })).toMatchObject({ routable: 0, waiting: 1 });
    expect((await acd.getSessionRouting({ siteId, sessionId: "waiting" })).state).toBe(
      SessionState.SESSION_STATE_WAITING,
    );
    // The member gets it.
    await push("alice", 1);
    expect(await acd.getSessionRouting({ siteId, sessionId: "waiting" })).toMatchObject({
      state: SessionState.SESSION_STATE_OFFERED,
      repId: "alice",
    });
  });

  it("takes a rep the config no longer lists out of the team in the same put, before presence's next push", async () => {
    // Issue 11, left from the last stop: a config that dropped a member left him in the team's sets and
    // index until presence pushed again, so he could still be offered the team's next customer.
    const before = [team("support", { memberRepIds: ["ann", "bob"] }), team("sales", { memberRepIds: ["ann"] })];
    const siteId = await running.siteWith(before);
    await repOnline(acd, siteId, "ann", ["support", "sales"]);
    expect(await acd.getTeamAvailability({ siteId, teamId: "support" })).toMatchObject({ loggedIn: 1, routable: 1 });

    await acd.putRoutingConfig({
      siteId,
      config: { teams: [team("support", { memberRepIds: ["bob"] }), before[1]!], problemTypes: [], version: 0 },
    });
    expect((await acd.getRepRouting({ siteId, repId: "ann" })).teamIds).toEqual(["sales"]);
    expect(await acd.getTeamAvailability({ siteId, teamId: "support" })).toMatchObject({
      loggedIn: 0,
      routable: 0,
      withFreeCapacity: 0,
    });
    await acd.enqueueSession(session(siteId, "after-the-put"));
    expect((await acd.getSessionRouting({ siteId, sessionId: "after-the-put" })).state).toBe(
      SessionState.SESSION_STATE_WAITING,
    );
    // She still serves the team that lists her; a removed team goes from her teams too.
    expect(await acd.getTeamAvailability({ siteId, teamId: "sales" })).toMatchObject({
      routable: 1,
      withFreeCapacity: 1,
    });
    await acd.putRoutingConfig({
      siteId,
      config: { teams: [team("support", { memberRepIds: ["bob"] })], problemTypes: [], version: 0 },
    });
    expect((await acd.getRepRouting({ siteId, repId: "ann" })).teamIds).toEqual([]);
    // The member still gets it.
    await repOnline(acd, siteId, "bob", ["support"]);
    expect(await acd.getSessionRouting({ siteId, sessionId: "after-the-put" })).toMatchObject({
      state: SessionState.SESSION_STATE_OFFERED,
      repId: "bob",
    });
  });

  it("refuses a capacity version more than the bounded step above the stored one, so none can pin a rep", async () => {
    const siteId = await running.siteWith();
    const push = (version: number, routableCapacity = 1) =>
      acd.setRepCapacity({
        siteId,
        repId: "alice",
        teamIds: ["support"],
        skills: [],
        routableCapacity,
        version,
        connected: true,
      });
    // Even presence's own identity: the pin at 2^53−1 on a rep the acd does not know yet.
    const pin = await grpcError(push(Number.MAX_SAFE_INTEGER, 0));
    expect([pin.code, errorInfo(pin)?.reason, errorInfo(pin)?.metadata]).toEqual([
      status.FAILED_PRECONDITION,
      "VERSION_STEP",
      { rep_id: "alice", stored_version: "0", max_step: String(MAX_STEP) },
    ]);
    expect((await acd.getRepRouting({ siteId, repId: "alice" })).known).toBe(false);
    await push(7);
    const jump = await grpcError(push(7 + MAX_STEP + 1, 0));
    expect(errorInfo(jump)?.metadata.stored_version).toBe("7");
    expect(await acd.getRepRouting({ siteId, repId: "alice" })).toMatchObject({ version: 7, routableCapacity: 1 });
    // The largest step is allowed.
    expect(await push(7 + MAX_STEP, 0)).toEqual({ applied: true, storedVersion: 7 + MAX_STEP });
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

  it("keeps a broker replica's stream from another replica of the same service reusing its subscriber id", async () => {
    // Both replicas present the one certificate `session-broker`: the id is bound to the connection of
    // the stream holding it, so the other replica is refused instead of ending the stream with OK.
    const siteId = await running.siteWith();
    await repOnline(acd, siteId, "bob", ["support"]);
    const replicaA = await subscribeOffers(acd, siteId, ["bob"], "replica-a");
    let endedA = false;
    void replicaA.ended.then(() => (endedA = true));
    const replicaB = as("session-broker");
    /** Replica B subscribes as "replica-a": the first offer it gets, or how it was refused. */
    const subscribeAsA = () =>
      new Promise<Offer | ServiceError>((resolve) => {
        const stream = replicaB.raw.subscribeOffers({ siteId, subscriberId: "replica-a", repIds: ["bob"] });
        stream.on("data", (message: SubscribeOffersResponse) => {
          if (message.event?.$case !== "offer") return;
          resolve(message.event.offer);
          stream.cancel();
        });
        stream.on("error", resolve);
      });
    const taken = (await subscribeAsA()) as ServiceError;
    expect([taken.code, errorInfo(taken)?.reason]).toEqual([status.ALREADY_EXISTS, "SUBSCRIBER_ID_IN_USE"]);

    await acd.enqueueSession(session(siteId, "s2"));
    expect((await replicaA.next((o) => o.sessionId === "s2")).repId).toBe("bob");
    expect(endedA).toBe(false);

    // Replica A itself (its own connection) may replace its stream, as when its rep set changes.
    const again = await subscribeOffers(acd, siteId, ["bob"], "replica-a");
    await replicaA.ended;
    expect((await again.next((o) => o.sessionId === "s2")).repId).toBe("bob");
    // Once A's stream is gone, the id is free for B.
    again.close();
    const takenOver = await eventually(async () => {
      const first = await subscribeAsA();
      return "sessionId" in first && first;
    });
    expect(takenOver).toMatchObject({ sessionId: "s2", repId: "bob" });
  });

  it("lets only the broker rebuild queues and end sessions", async () => {
    const siteId = await running.siteWith();
    await acd.enqueueSession(session(siteId, "first"));
    for (const identity of ["intake", "presence", "reporting"] as const) {
      const rebuild = await grpcError(as(identity).rebuildQueues({ siteId, sessions: [], held: [] }));
      expect(rebuild.code).toBe(status.PERMISSION_DENIED);
      const end = await grpcError(as(identity).endSession({ siteId, sessionId: "first", repId: "alice", epoch: 1 }));
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
