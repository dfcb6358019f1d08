import {
  commonSettings,
  ConfigInvalidError,
  grpcAddress,
  loadConfig,
  port,
  redisOptionsFrom,
  redisSettings,
} from "@handoff/runtime";
import { describe, expect, it } from "vitest";
import { z } from "zod";

const schema = z.object({ ...redisSettings, GRPC_PORT: port(50051), NAME: z.string().min(1) });

describe("loadConfig", () => {
  it("applies defaults and coerces numbers", () => {
    expect(loadConfig(schema, { NAME: "acd", REDIS_URL: "redis://127.0.0.1:6380" })).toMatchObject({
      GRPC_PORT: 50051,
      NAME: "acd",
    });
    expect(loadConfig(schema, { NAME: "acd", GRPC_PORT: "0" }).GRPC_PORT).toBe(0);
  });

  it("names every missing or wrong variable in one error", () => {
    const attempt = () => loadConfig(schema, { GRPC_PORT: "seventy", REDIS_URL: "http://x" });
    expect(attempt).toThrow(ConfigInvalidError);
    expect(attempt).toThrow(/GRPC_PORT="seventy".*/);
    expect(attempt).toThrow(/NAME/);
    expect(attempt).toThrow(/REDIS_URL/);
  });

  it("wants a Redis URL or Redis Cluster nodes", () => {
    expect(() => redisOptionsFrom(loadConfig(schema, { NAME: "x" }), "x")).toThrow(/REDIS_URL/);
    const clustered = loadConfig(schema, { NAME: "x", REDIS_CLUSTER_NODES: "127.0.0.1:7000,127.0.0.1:7001" });
    expect(redisOptionsFrom(clustered, "x").clusterNodes).toEqual(["127.0.0.1:7000", "127.0.0.1:7001"]);
  });
});

describe("gRPC connection settings", () => {
  const grpc = z.object({
    ACD_ADDRESS: grpcAddress,
    GRPC_MAX_CONNECTION_AGE_MS: commonSettings.GRPC_MAX_CONNECTION_AGE_MS,
    GRPC_MAX_CONNECTION_AGE_GRACE_MS: commonSettings.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
  });

  it("accepts host:port and dns:///host:port peers and defaults the connection age", () => {
    expect(loadConfig(grpc, { ACD_ADDRESS: "dns:///acd:50051" })).toEqual({
      ACD_ADDRESS: "dns:///acd:50051",
      GRPC_MAX_CONNECTION_AGE_MS: 300_000,
      GRPC_MAX_CONNECTION_AGE_GRACE_MS: 300_000,
    });
    expect(loadConfig(grpc, { ACD_ADDRESS: "acd:50051" }).ACD_ADDRESS).toBe("acd:50051");
  });

  it("refuses another scheme, a missing port and a connection age under a second, naming the variable", () => {
    expect(() => loadConfig(grpc, { ACD_ADDRESS: "http://acd:50051" })).toThrow(/ACD_ADDRESS/);
    expect(() => loadConfig(grpc, { ACD_ADDRESS: "dns:///acd" })).toThrow(/ACD_ADDRESS/);
    expect(() => loadConfig(grpc, { ACD_ADDRESS: "acd:1", GRPC_MAX_CONNECTION_AGE_MS: "500" })).toThrow(
      /GRPC_MAX_CONNECTION_AGE_MS/,
    );
    expect(() => loadConfig(grpc, { ACD_ADDRESS: "acd:1", GRPC_MAX_CONNECTION_AGE_GRACE_MS: "-1" })).toThrow(
      /GRPC_MAX_CONNECTION_AGE_GRACE_MS/,
    );
  });
});
