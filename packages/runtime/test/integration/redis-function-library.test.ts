import {
  buildFunctionLibrary,
  createRedis,
  FunctionClient,
  luaConstantsModule,
  readLuaModule,
  redisReady,
  runtimeLuaModules,
  type RedisClient,
} from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { Cluster } from "ioredis";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const library = buildFunctionLibrary(
  `test_${randomUUID().replaceAll("-", "")}`,
  [
    ...runtimeLuaModules(),
    readLuaModule(path.join(__dirname, "fixtures", "library", "counter.lua")),
    luaConstantsModule("constants", { STATE: { waiting: "w" } }),
  ],
  [
    {
      name: "add",
      uses: ["counter"],
      readOnly: false,
      body: "--- @uses counter\nreturn { counter.add(tonumber(ARGV[1])), tenant.traceparent }\n",
      source: "add.lua",
    },
    { name: "fail", uses: [], readOnly: true, body: "--- @read-only\nreturn nosuchglobal\n", source: "fail.lua" },
    {
      name: "misspelt",
      uses: ["constants"],
      readOnly: true,
      body: "--- @read-only\nreturn { constants.STATE.waiting, constants.STATE.wiating }\n",
      source: "misspelt.lua",
    },
  ],
);

describe.each([
  ["one Redis", () => createRedis({ url: infrastructureEnv().REDIS_URL })],
  ["a Redis Cluster", () => createRedis({ clusterNodes: infrastructureEnv().REDIS_CLUSTER_NODES.split(",") })],
])("Redis Functions library on %s", (_kind, connect) => {
  let redis: RedisClient;
  let client: FunctionClient;
  /** Tenants whose hash tags land on every master of the cluster. */
  const tenants = Array.from({ length: 24 }, (_, i) => `hq:{${randomUUID()}-${i}}:`);
  const masters = () => (redis instanceof Cluster ? redis.nodes("master") : [redis]);

  beforeAll(async () => {
    redis = connect();
    await redisReady(redis);
    client = new FunctionClient(redis, library);
  });
  afterAll(async () => {
    await Promise.all(masters().map((node) => node.call("FUNCTION", "DELETE", library.name).catch(() => undefined)));
    for (const tenant of tenants) await redis.del(`${tenant}n`);
    await redis.quit();
  });

  it("is loaded on every master at load(), once per version", async () => {
    await client.load();
    await client.load();
    for (const node of masters()) {
      const listed = (await node.call("FUNCTION", "LIST", "LIBRARYNAME", library.name)) as unknown[];
      expect(listed).toHaveLength(1);
    }
  });

  it("is loaded again where a node lost it (restart, failover, FUNCTION FLUSH) and the call succeeds", async () => {
    for (const tenant of tenants) expect(await client.call("add", [tenant], [2])).toEqual([2, expect.any(String)]);
    // What a node restarted without persistence holds: no functions.
    for (const node of masters()) await node.call("FUNCTION", "DELETE", library.name);
    const replies = await Promise.all(tenants.map((tenant) => client.call("add", [tenant], [3])));
    for (const reply of replies) expect((reply as unknown[])[0]).toBe(5);
  });

  it("names the source file and line of a Lua error", async () => {
    await expect(client.call("fail", [tenants[0]!], [])).rejects.toThrow(/fail\.lua:2/);
  });

  it("refuses a constant the generated module lacks, where it is read", async () => {
    await expect(client.call("misspelt", [tenants[0]!], [])).rejects.toThrow(/misspelt\.lua:2: no constant wiating/);
  });
});
