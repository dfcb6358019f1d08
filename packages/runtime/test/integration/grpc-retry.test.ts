import { status, type ServerUnaryCall, type sendUnaryData } from "@grpc/grpc-js";
import { AcdServiceClient } from "@handoff/proto/acd_service";
import { callUnary, createGrpcClient, GrpcStatusError, type RunningGrpcServer } from "@handoff/runtime";
import { devClientTls, eventually } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAcdTestServer } from "../support/acd-test-server";
import { retryableMethods } from "../../src/grpc/retry-policy";

/** Calls each replica answered, by method. */
interface Replica {
  server: RunningGrpcServer;
  calls: Record<"routing" | "read" | "write", number>;
}

/**
 * An acd replica with three methods: GetRoutingConfig always answers (to see both replicas
 * connected), GetQueuePosition (a read) and AcceptOffer (a write) answer UNAVAILABLE when `down`, as a
 * replica whose PostgreSQL or Redis is gone does.
 */
async function replica(down: boolean): Promise<Replica> {
  const calls = { routing: 0, read: 0, write: 0 };
  const answer =
    (kind: keyof typeof calls, response: object) =>
    (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<object>) => {
      calls[kind]++;
      if (down && kind !== "routing") callback(new GrpcStatusError(status.UNAVAILABLE, "redis is unavailable"));
      else callback(null, response);
    };
  const server = await startAcdTestServer({
    getRoutingConfig: answer("routing", {}),
    getQueuePosition: answer("read", { position: { position: 1, queueLength: 1 }, state: 0 }),
    acceptOffer: answer("write", {}),
  });
  return { server, calls };
}

describe("gRPC client retries", () => {
  it("retries exactly the unary methods the protos mark NO_SIDE_EFFECTS or IDEMPOTENT", () => {
    const acd = retryableMethods("handoff.v1.AcdService");
    expect(acd).toContain("GetQueuePosition");
    expect(acd).toContain("GetRoutingConfig");
    expect(acd).not.toContain("AcceptOffer");
    expect(acd).not.toContain("PutRoutingConfig");
    // A stream is never retried by the channel: its caller resumes it from what it has seen.
    expect(acd).not.toContain("SubscribeOffers");
    expect(retryableMethods("handoff.v1.SessionBrokerService")).toEqual(
      expect.arrayContaining(["GetSession", "ListRepSessions", "ListSessionEvents"]),
    );
    expect(retryableMethods("handoff.v1.SessionBrokerService")).not.toContain("WatchSession");
    expect(retryableMethods("handoff.v1.SessionBrokerService")).not.toContain("CreateSession");
    expect(retryableMethods("not.a.Service")).toEqual([]);
  });

  describe("with one of two replicas answering UNAVAILABLE", () => {
    let down: Replica;
    let up: Replica;
    let client: AcdServiceClient;
    const CALLS = 12;
    beforeAll(async () => {
      [down, up] = await Promise.all([replica(true), replica(false)]);
      // grpc-js's ipv4: target is a fixed list of replicas, as dns:/// of a headless Service resolves to.
      client = createGrpcClient(
        AcdServiceClient,
        `ipv4:127.0.0.1:${down.server.port},127.0.0.1:${up.server.port}`,
        devClientTls("session-broker"),
      );
      // round_robin spreads calls only over connected replicas: wait until both have answered.
      await eventually(
        async () => {
          await callUnary(client, "getRoutingConfig", { siteId: "s" });
          return down.calls.routing > 0 && up.calls.routing > 0;
        },
        10_000,
        "both replicas connected",
      );
    });
    afterAll(async () => {
      client?.close();
      await Promise.all([down?.server.drain(1_000), up?.server.drain(1_000)]);
    });

    it("answers every read through a retry on the other replica", async () => {
      for (let i = 0; i < CALLS; i++) {
        const answer = await callUnary(client, "getQueuePosition", {
          siteId: "s",
          sessionId: `s${i}`,
          recordEstimate: false,
        });
        expect(answer.position?.position).toBe(1);
      }
      expect(up.calls.read).toBe(CALLS);
      // round_robin sent some first attempts to the replica that is down; each was tried again.
      expect(down.calls.read).toBeGreaterThan(0);
    });

    it("sends a write once: a write answered UNAVAILABLE reaches its caller", async () => {
      let refused = 0;
      for (let i = 0; i < CALLS; i++) {
        await callUnary(client, "acceptOffer", { siteId: "s", sessionId: `s${i}`, repId: "r", epoch: 1 }).catch(
          (error: { code?: number }) => {
            expect(error.code).toBe(status.UNAVAILABLE);
            refused++;
          },
        );
      }
      expect(refused).toBeGreaterThan(0);
      expect(down.calls.write).toBe(refused);
      expect(down.calls.write + up.calls.write).toBe(CALLS);
    });
  });
});
