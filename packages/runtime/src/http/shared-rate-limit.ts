import type { Request, RequestHandler, Response } from "express";
import { ipKeyGenerator } from "express-rate-limit";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RedisClient } from "../redis/connection";
import { HttpProblem } from "./problem";

export interface SharedRateLimitOptions {
  redis: RedisClient;
  /** Which limit this is: the 429 body's `limit` member, the `RateLimit` headers' policy, the Redis key prefix. */
  name: string;
  /** Requests per key per minute, counted by every replica together. */
  perMinute: number;
  /** Who is counted (a client address, a site, an authenticated principal from `res`...). */
  key(req: Request, res: Response): string;
  /** Prefix of the counters' Redis keys (`<prefix>:<name>:<key>`). @default "rl" */
  keyPrefix?: string;
}

const WINDOW_S = 60;

/** The client's address as a limit's key: IPv6 clients count per /56, as one household or office. */
export const clientAddressKey = (req: Request): string => ipKeyGenerator(req.ip ?? "");

/** RFC draft-ietf-httpapi-ratelimit-headers-08, as express-rate-limit's `draft-8` writes them. */
function setHeaders(res: Response, name: string, limit: number, state: RateLimiterRes): void {
  const resetS = Math.max(0, Math.ceil(state.msBeforeNext / 1_000));
  res.setHeader("RateLimit-Policy", `"${name}";q=${limit};w=${WINDOW_S}`);
  res.setHeader("RateLimit", `"${name}";r=${Math.max(0, state.remainingPoints)};t=${resetS}`);
}

/**
 * A fixed-window limit of `perMinute` requests per key, counted in Redis so that every replica of a
 * service shares it (rate-limiter-flexible's atomic INCR+PEXPIRE script, one key per counter, so it
 * runs on Redis Cluster too). While Redis does not answer each replica counts alone (the insurance
 * limiter), so a Redis outage neither opens the gate nor closes it. An exceeded limit is a 429 problem
 * body, reason `RATE_LIMITED`, whose `limit` names which one, with `Retry-After` and `RateLimit` headers.
 */
export function sharedRateLimit(options: SharedRateLimitOptions): RequestHandler {
  const keyPrefix = `${options.keyPrefix ?? "rl"}:${options.name}`;
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix,
    points: options.perMinute,
    duration: WINDOW_S,
    // A command queued while Redis is away would hold the request: fail over to the insurance at once.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points: options.perMinute, duration: WINDOW_S }),
  });
  return (req, res, next) => {
    limiter.consume(options.key(req, res)).then(
      (state) => {
        setHeaders(res, options.name, options.perMinute, state);
        next();
      },
      (refusal: unknown) => {
        if (!(refusal instanceof RateLimiterRes)) return next(refusal);
        setHeaders(res, options.name, options.perMinute, refusal);
        res.setHeader("Retry-After", String(Math.max(1, Math.ceil(refusal.msBeforeNext / 1_000))));
        next(
          new HttpProblem(
            429,
            "Too many requests",
            `the ${options.name} rate limit is exceeded, retry later`,
            undefined,
            {
              reason: "RATE_LIMITED",
              limit: options.name,
            },
          ),
        );
      },
    );
  };
}
