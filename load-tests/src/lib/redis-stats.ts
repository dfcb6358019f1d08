import type { Redis } from "ioredis";

/** `INFO <section>` as a map of field → value. */
export async function info(redis: Redis, section: string): Promise<Map<string, string>> {
  const text = await redis.info(section);
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export interface CommandStat {
  calls: number;
  usec: number;
}

/** `INFO commandstats`: per command, calls and µs spent executing it (network I/O excluded). */
export async function commandStats(redis: Redis): Promise<Map<string, CommandStat>> {
  const stats = new Map<string, CommandStat>();
  for (const [field, value] of await info(redis, "commandstats")) {
    const calls = /calls=(\d+)/.exec(value);
    const usec = /usec=(\d+)/.exec(value);
    if (calls && usec) stats.set(field.replace(/^cmdstat_/, ""), { calls: Number(calls[1]), usec: Number(usec[1]) });
  }
  return stats;
}

/** used_cpu_sys + used_cpu_user of the Redis process, in µs (includes socket reads and writes). */
export async function cpuUsec(redis: Redis): Promise<number> {
  const cpu = await info(redis, "cpu");
  return (Number(cpu.get("used_cpu_sys")) + Number(cpu.get("used_cpu_user"))) * 1e6;
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number((await info(redis, "memory")).get("used_memory"));
}

export async function redisPid(redis: Redis): Promise<number> {
  return Number((await info(redis, "server")).get("process_id"));
}

/** Script entry points: their usec already includes every command the script calls. */
const SCRIPT_COMMANDS = new Set(["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"]);
/** The bench's own measuring; never counted. */
const MEASURING_COMMANDS = new Set(["info", "config|resetstat", "config", "memory|usage", "memory"]);

export interface RedisCost {
  /** Δ used_cpu_sys + used_cpu_user. */
  cpuUsec: number;
  /** Δ usec of script calls plus the listed top-level commands (commandstats). */
  commandUsec: number;
  scriptCalls: number;
  /**
   * Δ per command. Redis counts a command a script runs under that command's own name as well, so
   * these overlap the script figure: they show where script time goes, and are not added to it.
   */
  byCommand: Map<string, CommandStat>;
}

/**
 * Measures what Redis spends on a piece of work: snapshot before, `finish()` after. Nothing else
 * should use this Redis meanwhile (the scenario runs its phases one at a time).
 *
 * Commandstats cannot tell a command sent by a client from the same command run inside a script, so
 * the caller names the commands its workload sends outside scripts (`topLevel`); their usec is added
 * to the scripts'. INFO cpu needs no such help and also counts the network work.
 */
export async function measureRedisCost(redis: Redis, topLevel: readonly string[] = []) {
  const [cpuBefore, statsBefore] = await Promise.all([cpuUsec(redis), commandStats(redis)]);
  return {
    async finish(): Promise<RedisCost> {
      const [cpuAfter, statsAfter] = await Promise.all([cpuUsec(redis), commandStats(redis)]);
      const byCommand = new Map<string, CommandStat>();
      let commandUsec = 0;
      let scriptCalls = 0;
      for (const [name, after] of statsAfter) {
        if (MEASURING_COMMANDS.has(name)) continue;
        const before = statsBefore.get(name) ?? { calls: 0, usec: 0 };
        const delta = { calls: after.calls - before.calls, usec: after.usec - before.usec };
        if (delta.calls === 0) continue;
        byCommand.set(name, delta);
        if (SCRIPT_COMMANDS.has(name)) {
          commandUsec += delta.usec;
          scriptCalls += delta.calls;
        } else if (topLevel.includes(name)) {
          commandUsec += delta.usec;
        }
      }
      return { cpuUsec: cpuAfter - cpuBefore, commandUsec, scriptCalls, byCommand };
    },
  };
}

/**
 * "xadd 4.0 calls 3.1 µs, hset 6.0 calls 2.4 µs, ..." per unit of work, biggest first: where the
 * time inside the scripts goes.
 */
export function describeCommandMix(cost: RedisCost, units: number, top = 8): string {
  return [...cost.byCommand]
    .filter(([name]) => !SCRIPT_COMMANDS.has(name))
    .sort((a, b) => b[1].usec - a[1].usec)
    .slice(0, top)
    .map(([name, s]) => `${name} ${(s.calls / units).toFixed(1)}× ${(s.usec / units).toFixed(1)} µs`)
    .join(", ");
}

/** Calls and µs of all non-script commands in the mix (those run inside scripts and any sent directly). */
export function nestedCommands(cost: RedisCost): CommandStat {
  const total = { calls: 0, usec: 0 };
  for (const [name, s] of cost.byCommand) {
    if (SCRIPT_COMMANDS.has(name)) continue;
    total.calls += s.calls;
    total.usec += s.usec;
  }
  return total;
}

export interface KeyGroupMemory {
  keys: number;
  bytes: number;
}

/**
 * `MEMORY USAGE … SAMPLES 0` (exact: every element counted) of every key matching `pattern`, summed
 * per group (`group(key)` names it). SCAN-based, so it walks the keyspace once; meant for a bench's
 * private Redis or a site prefix, not a production instance.
 */
export async function memoryByKeyGroup(
  redis: Redis,
  pattern: string,
  group: (key: string) => string,
): Promise<Map<string, KeyGroupMemory>> {
  const groups = new Map<string, KeyGroupMemory>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1_000);
    cursor = next;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.call("MEMORY", "USAGE", key, "SAMPLES", "0");
    const replies = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const entry = groups.get(group(key)) ?? { keys: 0, bytes: 0 };
      entry.keys++;
      entry.bytes += Number(replies[i]?.[1] ?? 0);
      groups.set(group(key), entry);
    });
  } while (cursor !== "0");
  return groups;
}
