import express, { type Express, type Request, type RequestHandler, type Response } from "express";
import { ipKeyGenerator, rateLimit } from "express-rate-limit";
import type { Server, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { HttpProblem, problemHandler } from "./problem";

/** A dependency the service needs before it takes traffic. */
export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answers; rejects or resolves false otherwise. */
  check(): Promise<boolean>;
}

export interface HttpAppOptions {
  logger: Logger;
  readiness: ReadinessCheck[];
  /** Requests per client IP per minute on routes mounted by `routes`. @default 600 */
  rateLimitPerMinute?: number;
  /** The per-client limit instead of this replica's own counter of `rateLimitPerMinute` (e.g. `sharedRateLimit`). */
  rateLimit?: RequestHandler;
  /** Largest JSON request body. @default "64kb" */
  jsonLimit?: string;
  routes?(app: Express): void;
}

const READINESS_TIMEOUT_MS = 1_000;

function withTimeout(check: ReadinessCheck): Promise<boolean> {
  return Promise.race([
    check.check().catch(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), READINESS_TIMEOUT_MS).unref()),
  ]);
}

/** An express app with `/healthz` (process alive), `/readyz` (dependencies up), rate limits and problem bodies. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const results = await Promise.all(options.readiness.map(async (c) => [c.name, await withTimeout(c)] as const));
    const ready = results.every(([, ok]) => ok);
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", checks: Object.fromEntries(results) });
  });
  app.use(options.rateLimit ?? rateLimitPerMinute(options.rateLimitPerMinute ?? 600));
  app.use(express.json({ limit: options.jsonLimit ?? "64kb" }));
  options.routes?.(app);
  app.use((_req, _res, next) => next(new HttpProblem(404, "Not found")));
  app.use(
    problemHandler(
      (error) => options.logger.error({ err: error }, "unexpected error in HTTP handler"),
      (error, dependency) =>
        options.logger.warn({ err: error, dependency }, "HTTP request answered 503: a dependency is unavailable"),
    ),
  );
  return app;
}

/**
 * A fixed-window limit of `limit` requests per minute per key (by default the client IP); an exceeded
 * limit is a 429 problem body with `RateLimit` headers. `key` may name the caller (e.g. a token's
 * subject) once a middleware before this one has established it.
 */
export function rateLimitPerMinute(limit: number, key?: (req: Request, res: Response) => string): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    keyGenerator: key ?? ((req) => ipKeyGenerator(req.ip ?? "")),
    handler: (_req, _res, next) =>
      next(
        new HttpProblem(429, "Too many requests", "rate limit exceeded, retry later", undefined, {
          reason: "RATE_LIMITED",
        }),
      ),
  });
}

export interface RunningHttpServer {
  port: number;
  /** Stops accepting, lets open requests finish within `timeoutMs`, then closes what is left. */
  drain(timeoutMs: number): Promise<void>;
}

/** While draining, keep-alive connections that went idle are closed this often. */
const DRAIN_IDLE_SWEEP_MS = 100;

export function startHttpServer(app: Express, host: string, port: number): Promise<RunningHttpServer> {
  return new Promise((resolve, reject) => {
    let draining = false;
    const server: Server = app.listen(port, host, (error?: Error) => {
      if (error) return reject(error);
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : port,
        drain: (timeoutMs) =>
          new Promise<void>((done) => {
            // server.close() closes only the connections idle at that moment: a busy client's keep-alive
            // connection would carry its next request and keep the drain waiting for its whole bound.
            // Every answer from now on says `Connection: close`, and what goes idle is closed.
            draining = true;
            const sweep = setInterval(() => server.closeIdleConnections(), DRAIN_IDLE_SWEEP_MS);
            const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
            server.close(() => {
              clearTimeout(timer);
              clearInterval(sweep);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
    server.prependListener("request", (_req, res: ServerResponse) => {
      if (draining) res.shouldKeepAlive = false;
    });
  });
}
