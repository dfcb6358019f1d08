import {
  credentials,
  loadPackageDefinition,
  Metadata,
  status,
  type Client,
  type ClientDuplexStream,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { AcdServiceClient } from "@handoff/proto/acd_service";
import {
  channelCredentials,
  checkGrpcHealth,
  tlsChannelOptions,
  type RunningGrpcServer,
  type ServiceIdentity,
} from "@handoff/runtime";
import { devClientTls } from "@handoff/testing";
import path from "node:path";
import { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startAcdTestServer } from "../support/acd-test-server";

const reflectionProto = path.join(
  path.dirname(require.resolve("@grpc/reflection/package.json")),
  "build/proto/grpc/reflection/v1/reflection.proto",
);

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
}

/** A grpc.reflection.v1 client, as grpcurl or Postman would use it. */
function reflectionClient(address: string) {
  const definition = loadPackageDefinition(loadSync(reflectionProto, { keepCase: false }));
  const Ctor = (definition.grpc as Record<string, Record<string, Record<string, new (...a: unknown[]) => Client>>>)
    .reflection!.v1!.ServerReflection!;
  const client = new Ctor(address, channelCredentials(devClientTls("intake")), tlsChannelOptions(address)) as Client & {
    serverReflectionInfo(): ClientDuplexStream<object, ReflectionResponse>;
  };
  const ask = (request: object) =>
    new Promise<ReflectionResponse>((resolve, reject) => {
      const call = client.serverReflectionInfo();
      call.once("data", (response: ReflectionResponse) => {
        resolve(response);
        call.end();
      });
      call.once("error", reject);
      call.write(request);
    });
  return { ask, close: () => client.close() };
}

/** Calls GetRoutingConfig as `identity`, or without a certificate; resolves to the status code. */
function getRoutingConfigAs(address: string, identity: ServiceIdentity | "plaintext"): Promise<number> {
  const client =
    identity === "plaintext"
      ? new AcdServiceClient(address, credentials.createInsecure())
      : new AcdServiceClient(address, channelCredentials(devClientTls(identity)), tlsChannelOptions(address));
  return new Promise<number>((resolve) => {
    client.getRoutingConfig(
      { siteId: "s" },
      new Metadata(),
      { deadline: Date.now() + 5_000 },
      (error: ServiceError | null) => resolve(error ? error.code : status.OK),
    );
  }).finally(() => client.close());
}

describe("gRPC server bootstrap", () => {
  let server: RunningGrpcServer;
  let handled = 0;
  beforeAll(async () => {
    server = await startAcdTestServer(
      {
        getRoutingConfig: (_call: unknown, callback: (e: null, r: object) => void) => {
          handled += 1;
          callback(null, {});
        },
      },
      { healthPort: 0 },
    );
  });
  afterAll(() => server.drain(1_000));

  it("answers health NOT_SERVING until it is told it serves, then SERVING for the server and each service", async () => {
    const address = `127.0.0.1:${server.port}`;
    const tls = devClientTls("reporting");
    expect(await checkGrpcHealth(address, { service: "handoff.v1.AcdService", tls })).toBe("NOT_SERVING");
    server.setServing(true);
    expect(await checkGrpcHealth(address, { tls })).toBe("SERVING");
    expect(await checkGrpcHealth(address, { service: "handoff.v1.AcdService", tls })).toBe("SERVING");
  });

  it("serves plaintext health, and nothing else, on the probe port", async () => {
    server.setServing(true);
    const probe = `127.0.0.1:${server.healthPort}`;
    expect(await checkGrpcHealth(probe, { service: "handoff.v1.AcdService" })).toBe("SERVING");
    expect(await getRoutingConfigAs(probe, "plaintext")).toBe(status.UNIMPLEMENTED);
  });

  it("refuses a client without a certificate before any handler runs", async () => {
    const before = handled;
    expect(await getRoutingConfigAs(`127.0.0.1:${server.port}`, "plaintext")).toBe(status.UNAVAILABLE);
    await expect(checkGrpcHealth(`127.0.0.1:${server.port}`, { deadlineMs: 2_000 })).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    expect(handled).toBe(before);
  });

  it("lets only the services its callers table names call a method, refusing the others with PERMISSION_DENIED", async () => {
    const address = `127.0.0.1:${server.port}`;
    const before = handled;
    expect(await getRoutingConfigAs(address, "reporting")).toBe(status.PERMISSION_DENIED);
    expect(await getRoutingConfigAs(address, "acd")).toBe(status.PERMISSION_DENIED);
    expect(handled).toBe(before);
    expect(await getRoutingConfigAs(address, "presence")).toBe(status.OK);
    expect(handled).toBe(before + 1);
  });

  it("reads a connection's client certificate once, not on every call", async () => {
    const address = `127.0.0.1:${server.port}`;
    const client = new AcdServiceClient(
      address,
      channelCredentials(devClientTls("presence")),
      tlsChannelOptions(address),
    );
    const call = () =>
      new Promise<void>((resolve, reject) =>
        client.getRoutingConfig({ siteId: "s" }, (error: ServiceError | null) => (error ? reject(error) : resolve())),
      );
    const reads = vi.spyOn(TLSSocket.prototype, "getPeerCertificate");
    try {
      await call();
      const afterFirst = reads.mock.calls.length;
      for (let i = 0; i < 20; i++) await call();
      expect(afterFirst).toBeGreaterThan(0);
      expect(reads.mock.calls.length).toBe(afterFirst);
    } finally {
      reads.mockRestore();
      client.close();
    }
  });

  it("lists only the services it serves and describes their protos over server reflection", async () => {
    const reflection = reflectionClient(`127.0.0.1:${server.port}`);
    try {
      const listed = await reflection.ask({ listServices: "" });
      // The contract holds every service's proto; a process must not advertise the others' APIs.
      expect(listed.listServicesResponse?.service.map((s) => s.name)).toEqual(["handoff.v1.AcdService"]);
      const described = await reflection.ask({ fileContainingSymbol: "handoff.v1.AcdService" });
      const files = described.fileDescriptorResponse?.fileDescriptorProto.map((bytes) => bytes.toString("latin1"));
      // proto-loader merges one package's files into one descriptor, so look for the service, not a file name.
      expect(files?.some((file) => file.includes("AcdService") && file.includes("EnqueueSession"))).toBe(true);
    } finally {
      reflection.close();
    }
  });
});
