import { status, type ServiceError } from "@grpc/grpc-js";
import { AcdServiceClient, type SubscribeOffersResponse } from "@handoff/proto/acd_service";
import {
  channelCredentials,
  createLogger,
  errorInfo,
  failedPrecondition,
  InvalidArgumentError,
  serverStream,
  tlsChannelOptions,
  unary,
  withErrorInfo,
  type RunningGrpcServer,
} from "@handoff/runtime";
import { devClientTls } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAcdTestServer } from "../support/acd-test-server";

/** Ends with the stream's status, or rejects if none arrives within `ms` (the call hung). */
function streamStatus(stream: NodeJS.EventEmitter, ms = 3_000): Promise<{ code: number; details: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no status within ${ms} ms: the call hangs`)), ms);
    stream.on("data", () => undefined);
    stream.on("error", () => undefined);
    stream.once("status", (s: { code: number; details: string }) => {
      clearTimeout(timer);
      resolve(s);
    });
  });
}

describe("runtime gRPC handlers", () => {
  let server: RunningGrpcServer;
  let client: AcdServiceClient;
  beforeAll(async () => {
    const logger = createLogger("handlers-test", "silent");
    server = await startAcdTestServer({
      subscribeOffers: serverStream<{ siteId: string }, SubscribeOffersResponse>(
        "SubscribeOffers",
        logger,
        async (req, call) => {
          if (req.siteId === "") throw new InvalidArgumentError("site_id", "must not be empty");
          if (req.siteId === "boom") throw new Error("a bug");
          if (req.siteId === "refused") throw withErrorInfo(failedPrecondition("no"), "NOPE", "handoff.test");
          call.write({ event: { $case: "subscribed", subscribed: { pendingOffers: 0 } } });
          await Promise.resolve();
        },
      ),
      acceptOffer: unary("AcceptOffer", logger, () =>
        Promise.reject(
          withErrorInfo(failedPrecondition("fencing token 1 is stale"), "STALE_EPOCH", "handoff.test", {
            current_epoch: "2",
          }),
        ),
      ),
    });
    const address = `127.0.0.1:${server.port}`;
    client = new AcdServiceClient(
      address,
      channelCredentials(devClientTls("session-broker")),
      tlsChannelOptions(address),
    );
  });
  afterAll(async () => {
    client?.close();
    await server?.drain(1_000);
  });

  const subscribe = (siteId: string) => client.subscribeOffers({ siteId, subscriberId: "x", repIds: [] });

  it("ends a server stream whose handler throws at once with the error's status instead of hanging", async () => {
    expect(await streamStatus(subscribe(""))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: "site_id: must not be empty",
    });
  });

  it("ends a server stream whose handler fails unexpectedly with INTERNAL, without the error's text", async () => {
    expect(await streamStatus(subscribe("boom"))).toMatchObject({ code: status.INTERNAL, details: "internal error" });
  });

  it("ends a server stream that completes with OK", async () => {
    expect((await streamStatus(subscribe("fine"))).code).toBe(status.OK);
  });

  it("sends a refusal's reason as google.rpc.ErrorInfo in the status details, from unary and streaming calls", async () => {
    const unaryError = await new Promise<ServiceError>((resolve) =>
      client.acceptOffer({ siteId: "s", sessionId: "x", repId: "r", epoch: 1 }, (error) => resolve(error!)),
    );
    expect(unaryError.code).toBe(status.FAILED_PRECONDITION);
    expect(errorInfo(unaryError)).toEqual({
      reason: "STALE_EPOCH",
      domain: "handoff.test",
      metadata: { current_epoch: "2" },
    });
    const streamError = await new Promise<ServiceError>((resolve) => {
      const stream = subscribe("refused");
      stream.on("data", () => undefined);
      stream.once("error", (error: ServiceError) => resolve(error));
    });
    expect(streamError.code).toBe(status.FAILED_PRECONDITION);
    expect(errorInfo(streamError)?.reason).toBe("NOPE");
  });
});
