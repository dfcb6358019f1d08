import type { ErrorRequestHandler } from "express";

/** An HTTP error answered as an RFC 9457 problem body (`application/problem+json`). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    /** The request field at fault, for 400s. */
    readonly field?: string,
  ) {
    super(detail ?? title);
    this.name = "HttpProblem";
  }
}

export const badRequest = (field: string, detail: string) =>
  new HttpProblem(400, "Invalid request", `${field}: ${detail}`, field);

/** Last middleware: every error becomes a problem body; unexpected ones hide their text. */
export function problemHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const problem =
      error instanceof HttpProblem
        ? error
        : error instanceof SyntaxError && "body" in error
          ? badRequest("body", "not valid JSON")
          : (onUnexpected(error), new HttpProblem(500, "Internal error"));
    res.status(problem.status).type("application/problem+json").json({
      type: "about:blank",
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      field: problem.field,
    });
  };
}
