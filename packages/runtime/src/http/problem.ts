import type { ErrorRequestHandler } from "express";

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

/** Last middleware: every error becomes a problem body; unexpected ones hide their text. */
export function problemHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const problem =
      error instanceof HttpProblem
        ? error
        : error instanceof SyntaxError && "body" in error
          ? badRequest("body", "not valid JSON")
          : (exposedClientError(error) ?? (onUnexpected(error), new HttpProblem(500, "Internal error")));
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
