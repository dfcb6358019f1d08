import { invalidFields, type FieldProblem } from "@handoff/runtime";
import type { z } from "zod";

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

/** Parses the path parameters and the body together, so one 400 names every field at fault. */
export function parseRequest<P, B>(
  parts: { params?: z.ZodType<P>; body?: z.ZodType<B> },
  input: { params: unknown; body: unknown },
): { params: P; body: B } {
  const problems: FieldProblem[] = [];
  const parse = <T>(schema: z.ZodType<T> | undefined, value: unknown, whole: string): T => {
    if (!schema) return undefined as T;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    problems.push(...fieldProblems(result.error, whole));
    return undefined as T;
  };
  const params = parse(parts.params, input.params, "path");
  // No body at all counts as an empty object: commands without fields may be posted bare.
  const body = parse(parts.body, input.body ?? {}, "body");
  if (problems.length > 0) throw invalidFields(problems);
  return { params, body };
}
