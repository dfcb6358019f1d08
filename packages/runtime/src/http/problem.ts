import type { ErrorRequestHandler } from "express";
import {
  DEPENDENCY_RETRY_AFTER_S,
  DEPENDENCY_UNAVAILABLE,
  dependencyFailureOf,
  dependencyUnavailableText,
  type DependencyFailure,
} from "../dependency-failure";

/** One field at fault in a request, as a 400 problem body lists it. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** An HTTP error answered as an RFC 9457 problem body (`application/problem+json`). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    /** The request field at fault, for 400s. */
    readonly field?: string,
    readonly extensions: {
      /** Every field at fault (the first one is `field`). */
      errors?: FieldProblem[];
      /** A stable machine-readable reason (e.g. `SESSION_NOT_FOUND`). */
      reason?: string;
      /** Seconds before asking again; a 503's `Retry-After` says the same. */
      retryAfterS?: number;
      /** Further members an API documents for a reason (e.g. when a closed portal opens). */
      [member: string]: unknown;
    } = {},
  ) {
    super(detail ?? title);
    this.name = "HttpProblem";
  }
}

export const badRequest = (field: string, detail: string) =>
  new HttpProblem(400, "Invalid request", `${field}: ${detail}`, field, { errors: [{ field, problem: detail }] });

/** A 400 listing every field at fault. */
export function invalidFields(errors: FieldProblem[]): HttpProblem {
  const detail = errors.map((e) => `${e.field}: ${e.problem}`).join("; ");
  return new HttpProblem(400, "Invalid request", detail, errors[0]?.field, { errors });
}

/** Errors that carry their own 4xx status and say it may be shown (body-parser's 413, 415...). */
function exposedClientError(error: unknown): HttpProblem | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { status, expose, message } = error as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof status !== "number" || status < 400 || status > 499 || expose !== true) return undefined;
  if (status === 413) return new HttpProblem(413, "Content too large", "the request body is too large", "body");
  return new HttpProblem(status, "Invalid request", typeof message === "string" ? message : undefined);
}

/**
 * A 503 naming the dependency out of reach (`dependency`, `retryAfterS`, and `Retry-After`): the client
 * asks again then, this is no bug of ours. `reason` says whose it is: DEPENDENCY_UNAVAILABLE for the
 * answering service's own PostgreSQL or Redis, a peer's reason (`BROKER_UNAVAILABLE`) for a peer
 * service or its dependencies (decoded by peerUnavailable).
 */
export const unavailableProblem = (reason: string, failure: DependencyFailure): HttpProblem =>
  new HttpProblem(503, "Service unavailable", dependencyUnavailableText(failure), undefined, {
    reason,
    dependency: failure.dependency,
    retryAfterS: failure.retryAfterS,
  });

/**
 * Last middleware: every error becomes a problem body; unexpected ones hide their text. A dependency
 * out of reach is a 503 naming it (`onUnavailable` hears it); every 503 says when to ask again
 * (`Retry-After`, RFC 9110 §10.2.3) unless the route set its own.
 */
export function problemHandler(
  onUnexpected: (error: unknown) => void,
  onUnavailable: (error: unknown, dependency: string) => void,
): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const failure = error instanceof HttpProblem ? undefined : dependencyFailureOf(error);
    const problem =
      error instanceof HttpProblem
        ? error
        : error instanceof SyntaxError && "body" in error
          ? badRequest("body", "not valid JSON")
          : failure
            ? (onUnavailable(error, failure.dependency), unavailableProblem(DEPENDENCY_UNAVAILABLE, failure))
            : (exposedClientError(error) ?? (onUnexpected(error), new HttpProblem(500, "Internal error")));
    if (problem.status === 503 && !res.hasHeader("Retry-After"))
      res.setHeader("Retry-After", String(problem.extensions.retryAfterS ?? DEPENDENCY_RETRY_AFTER_S));
    res
      .status(problem.status)
      .type("application/problem+json")
      .json({
        type: "about:blank",
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        field: problem.field,
        ...problem.extensions,
      });
  };
}
