import { commonSettings, loadConfig, port } from "@handoff/runtime";
import { z } from "zod";

export const intakeSettings = z.object({
  ...commonSettings,
  GRPC_PORT: port(50055),
  HTTP_PORT: port(8080),
  HTTP_HOST: z.string().default("0.0.0.0"),
  SESSION_BROKER_ADDRESS: z.string().regex(/^[^:\s]+:\d{1,5}$/, "must be host:port"),
  /** Public endpoints: requests per client IP per minute. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(120),
});

export type IntakeConfig = z.infer<typeof intakeSettings>;

export const loadIntakeConfig = (env: NodeJS.ProcessEnv = process.env): IntakeConfig => loadConfig(intakeSettings, env);
