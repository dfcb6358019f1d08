import { Cluster } from "ioredis";
import { currentTraceparent } from "../telemetry/traceparent";
import type { RedisClient } from "./connection";
import type { FunctionLibrary } from "./function-library";

export type FunctionArg = string | number | Buffer;

const NOT_FOUND = /Function not found/i;
const ALREADY_EXISTS = /already exists/i;
const LIBRARY_LINE = /user_function:(\d+)/g;

/**
 * Calls the functions of one library with FCALL. The library is loaded on every node that lacks it:
 * at `load()` (on every master of a Redis Cluster) and whenever a call meets "Function not found" (a
 * node restarted empty, a failover to a node that never had it, FUNCTION FLUSH), then the call is
 * retried once. Loads of the same version are idempotent (the name carries the content hash), so
 * replicas of different versions may run side by side. Every call passes the active trace context as
 * its last ARGV, so events a function appends carry the caller's trace.
 */
export class FunctionClient {
  private loading: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisClient,
    readonly library: FunctionLibrary,
  ) {}

  /** Loads the library on this Redis, or on every master of the cluster. */
  load(): Promise<void> {
    this.loading ??= this.loadEverywhere().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadEverywhere(): Promise<void> {
    const nodes = this.redis instanceof Cluster ? this.redis.nodes("master") : [this.redis];
    await Promise.all(
      nodes.map(async (node) => {
        try {
          await node.call("FUNCTION", "LOAD", this.library.code);
        } catch (error) {
          if (!ALREADY_EXISTS.test((error as Error).message)) throw this.located(error as Error);
        }
      }),
    );
  }

  /** FCALL `name` of the library with `keys` and `args` (the traceparent is appended). */
  async call(name: string, keys: readonly string[], args: readonly FunctionArg[]): Promise<unknown> {
    const fn = this.library.functionNames.get(name);
    if (!fn) throw new Error(`library ${this.library.name} has no function ${name}`);
    const argv = [fn, keys.length, ...keys, ...args, currentTraceparent()];
    try {
      return await this.redis.call("FCALL", ...argv);
    } catch (error) {
      if (!NOT_FOUND.test((error as Error).message)) throw this.located(error as Error);
      await this.load();
      return this.redis.call("FCALL", ...argv).catch((again: Error) => {
        throw this.located(again);
      });
    }
  }

  /** Names the module file and line of a Lua error instead of the library's line. */
  private located(error: Error): Error {
    if (!error.message.includes("user_function:")) return error;
    error.message = error.message.replace(LIBRARY_LINE, (_m, line: string) => this.library.locate(Number(line)));
    return error;
  }
}
