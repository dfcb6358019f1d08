import type { ServerUnaryCall } from "@grpc/grpc-js";
import { AcdServiceClient } from "@handoff/proto/acd_service";
import { callUnary, createGrpcClient, type RunningGrpcServer } from "@handoff/runtime";
import { devClientTls } from "@handoff/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startAcdTestServer } from "../support/acd-test-server";

/** A server whose GetRoutingConfig records the client's end of each call's connection (address:port). */
async function recordingServer(age: { maxConnectionAgeMs?: number; maxConnectionAgeGraceMs?: number } = {}) {
  const peers: string[] = [];
  const server = await startAcdTestServer(
    {
      getRoutingConfig: (call: ServerUnaryCall<unknown, unknown>, callback: (e: null, r: object) => void) => {
        peers.push(call.getPeer());
        callback(null, {});
      },
    },
    age,
  );
  return { server, peers };
}

describe("gRPC connections", () => {
  let server: RunningGrpcServer | undefined;
  let client: AcdServiceClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.drain(1_000);
  });

  it("reaches a real server through a dns:/// address with round_robin", async () => {
    const recording = await recordingServer();
    server = recording.server;
    client = createGrpcClient(AcdServiceClient, `dns:///localhost:${server.port}`, devClientTls("presence"));
    for (let i = 0; i < 5; i++) await callUnary(client, "getRoutingConfig", { siteId: "s" });
    expect(recording.peers).toHaveLength(5);
  });

  it("closes a connection past its max age, and the client reconnects without a failed call", async () => {
    const recording = await recordingServer({ maxConnectionAgeMs: 300, maxConnectionAgeGraceMs: 100 });
    server = recording.server;
    client = createGrpcClient(AcdServiceClient, `dns:///localhost:${server.port}`, devClientTls("presence"));
    const until = Date.now() + 1_500;
    let calls = 0;
    while (Date.now() < until) {
      await callUnary(client, "getRoutingConfig", { siteId: "s" });
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(recording.peers).toHaveLength(calls);
    // Each new connection comes from a new client port: the age closed the first ones.
    expect(new Set(recording.peers).size).toBeGreaterThanOrEqual(3);
  });
});
