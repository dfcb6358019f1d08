import express from "express";
import { ReplyError } from "ioredis";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { unavailableDependency } from "../../src/dependency-failure";
import { problemHandler } from "../../src/http/problem";
import { createPgPool } from "../../src/postgres/pool";
import { createRedis } from "../../src/redis/connection";

/** A PostgreSQL error as pg builds it from the server's ErrorResponse: the SQLSTATE in `code`. */
/** ioredis's ReplyError (a Redis error reply), typed: ioredis declares it `any`. */
const reply = (message: string) => new (ReplyError as new (message: string) => Error)(message);

const sqlState = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("unavailableDependency", () => {
  it("names PostgreSQL for its connection SQLSTATEs and pg's connection messages, not for other SQL errors", () => {
    expect(unavailableDependency(sqlState("57P01", "terminating connection due to administrator command"))).toBe(
      "postgresql",
    );
    expect(unavailableDependency(sqlState("57P03", "the database system is starting up"))).toBe("postgresql");
    expect(unavailableDependency(sqlState("08006", "connection failure"))).toBe("postgresql");
    expect(unavailableDependency(new Error("Connection terminated unexpectedly"))).toBe("postgresql");
    expect(unavailableDependency(new Error("timeout exceeded when trying to connect"))).toBe("postgresql");
    expect(unavailableDependency(sqlState("23505", "duplicate key value violates unique constraint"))).toBeUndefined();
    expect(unavailableDependency(sqlState("40001", "could not serialize access"))).toBeUndefined();
  });

  it("names Redis for a lost connection and for replies of a Redis that cannot serve yet", () => {
    expect(unavailableDependency(new Error("Connection is closed."))).toBe("redis");
    expect(unavailableDependency(reply("LOADING Redis is loading the dataset in memory"))).toBe("redis");
    expect(unavailableDependency(reply("CLUSTERDOWN The cluster is down"))).toBe("redis");
    expect(unavailableDependency(reply("WRONGTYPE Operation against a key"))).toBeUndefined();
  });

  it("looks through errors that wrap one, and leaves bugs and bare socket errors of unknown origin alone", () => {
    const wrapped = new Error("could not save the session", { cause: new Error("Connection terminated unexpectedly") });
    expect(unavailableDependency(wrapped)).toBe("postgresql");
    expect(unavailableDependency(new TypeError("cannot read properties of undefined"))).toBeUndefined();
    expect(unavailableDependency(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(
      undefined,
    );
    expect(unavailableDependency("a string")).toBeUndefined();
    expect(unavailableDependency(undefined)).toBeUndefined();
  });

  it("names PostgreSQL for the bare ECONNREFUSED of a real pool whose server is not there", async () => {
    const pool = createPgPool("postgres://nobody@127.0.0.1:1/none", 1);
    try {
      const error: unknown = await pool.query("SELECT 1").catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe("ECONNREFUSED");
      expect(unavailableDependency(error)).toBe("postgresql");
      const checkout: unknown = await pool.connect().catch((e: unknown) => e);
      expect(unavailableDependency(checkout)).toBe("postgresql");
    } finally {
      await pool.end();
    }
  });

  it("names Redis for the error a real ioredis client gives when its server is not there", async () => {
    const redis = createRedis({ url: "redis://127.0.0.1:1/0" });
    redis.on("error", () => undefined);
    try {
      const error: unknown = await redis.get("k").catch((e: unknown) => e);
      expect((error as Error).name).toBe("MaxRetriesPerRequestError");
      expect(unavailableDependency(error)).toBe("redis");
    } finally {
      redis.disconnect();
    }
  });
});

describe("problemHandler", () => {
  async function answerTo(error: unknown): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
    const heard: string[] = [];
    const app = express();
    app.get("/", (_req, _res, next) => next(error));
    app.use(
      problemHandler(
        () => heard.push("unexpected"),
        (_e, dependency) => heard.push(dependency),
      ),
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      return {
        status: res.status,
        retryAfter: res.headers.get("retry-after"),
        body: { ...((await res.json()) as object), heard },
      };
    } finally {
      server.close();
    }
  }

  it("answers a dependency out of reach 503 naming it, with Retry-After, and a bug 500 without its text", async () => {
    const down = await answerTo(sqlState("57P01", "terminating connection due to administrator command"));
    expect(down).toMatchObject({
      status: 503,
      retryAfter: "2",
      body: { reason: "DEPENDENCY_UNAVAILABLE", dependency: "postgresql", heard: ["postgresql"] },
    });
    expect((down.body as { detail: string }).detail).toMatch(/^postgresql is unavailable/);
    const bug = await answerTo(new TypeError("x is undefined"));
    expect(bug).toMatchObject({
      status: 500,
      retryAfter: null,
      body: { title: "Internal error", heard: ["unexpected"] },
    });
    expect((bug.body as { detail?: string }).detail).toBeUndefined();
  });
});
