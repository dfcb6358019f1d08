import type { z } from "zod";
import { invalidFields, type FieldProblem } from "./problem";

/** Every issue of a failed parse as fields of the request (`target.teamId`, `text`...). */
export function fieldProblems(error: z.ZodError, whole: string): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, problem: "is not a known field" }));
    const problem =
      issue.code === "invalid_type" && issue.input === undefined
        ? "is required"
        : issue.code === "invalid_type"
          ? `must be ${issue.expected === "object" ? "an object" : `a ${issue.expected}`}`
          : issue.message;
    return [{ field: at || whole, problem }];
  });
}

/**
 * Parses the path parameters, the query and the body together, so one 400 names every field at fault.
 * @throws HttpProblem (400) listing them
 */
export function parseRequest<P, B, Q = undefined>(
  parts: { params?: z.ZodType<P>; query?: z.ZodType<Q>; body?: z.ZodType<B> },
  input: { params: unknown; query?: unknown; body: unknown },
): { params: P; query: Q; body: B } {
  const problems: FieldProblem[] = [];
  const parse = <T>(schema: z.ZodType<T> | undefined, value: unknown, whole: string): T => {
    if (!schema) return undefined as T;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    problems.push(...fieldProblems(result.error, whole));
    return undefined as T;
  };
  const params = parse(parts.params, input.params, "path");
  const query = parse(parts.query, input.query ?? {}, "query");
  // No body at all counts as an empty object: commands without fields may be posted bare.
  const body = parse(parts.body, input.body ?? {}, "body");
  if (problems.length > 0) throw invalidFields(problems);
  return { params, query, body };
}
