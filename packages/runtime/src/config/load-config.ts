import type { z } from "zod";

/** A setting is missing or wrong; the message names every offending variable. */
export class ConfigInvalidError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigInvalidError";
  }
}

/**
 * Parses the environment with a zod object schema whose keys are variable names.
 * @throws ConfigInvalidError naming each bad variable, so a service stops at start with a clear line.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigInvalidError(
    result.error.issues.map((issue) => {
      const variable = issue.path.join(".") || "(environment)";
      const given = env[variable];
      return given === undefined
        ? `${variable}: ${issue.message}`
        : `${variable}=${JSON.stringify(given)}: ${issue.message}`;
    }),
  );
}
