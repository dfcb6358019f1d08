import { credentials, loadPackageDefinition, type Client, type ClientDuplexStream } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { AcdServiceService } from "@handoff/proto/acd_service";
import { checkGrpcHealth, startGrpcServer, type RunningGrpcServer } from "@handoff/runtime";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

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
  const client = new Ctor(address, credentials.createInsecure()) as Client & {
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

describe("gRPC server bootstrap", () => {
  let server: RunningGrpcServer;
  beforeAll(async () => {
    server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      services: [{ name: "handoff.v1.AcdService", definition: AcdServiceService, implementation: {} }],
    });
  });
  afterAll(() => server.drain(1_000));

  it("answers health NOT_SERVING until it is told it serves, then SERVING for the server and each service", async () => {
    const address = `127.0.0.1:${server.port}`;
    expect(await checkGrpcHealth(address, "handoff.v1.AcdService")).toBe("NOT_SERVING");
    server.setServing(true);
    expect(await checkGrpcHealth(address)).toBe("SERVING");
    expect(await checkGrpcHealth(address, "handoff.v1.AcdService")).toBe("SERVING");
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
