import type { RedisClient } from "./connection";

/**
 * Removes every key under a tenant's prefix (`hq:{site}:`), for a retired site: SCAN on each primary
 * (a tenant's keys share one hash tag, so one slot, but which node holds it does not matter here), then
 * UNLINK in the batches SCAN returns. The prefix must hold no glob characters (ids cannot, per
 * ID_PATTERN). Returns how many keys went. It walks the node's whole keyspace: an admin operation.
 */
export async function removeTenantKeys(redis: RedisClient, prefix: string): Promise<number> {
  const nodes = "nodes" in redis && typeof redis.nodes === "function" ? redis.nodes("master") : [redis];
  let removed = 0;
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, found] = await node.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (found.length > 0) removed += await redis.unlink(...found);
    } while (cursor !== "0");
  }
  return removed;
}
