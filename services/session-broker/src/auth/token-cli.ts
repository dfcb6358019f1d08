// `npm run token -- --site demo --rep alice [--role supervisor] [--ttl 3600]`: prints a development
// agent token signed with the key in .cache/dev-jwt/ (created if missing), for a broker started
// without AGENT_JWT_ISSUER.
import { parseArgs } from "node:util";
import {
  AGENT_ROLES,
  loadOrCreateDevSigningKey,
  signDevToken,
  type AgentRole,
  type DevTokenInput,
} from "@handoff/runtime";

const USAGE = "usage: npm run token -- --site <site> --rep <rep> [--role rep|supervisor|admin]... [--ttl <seconds>]";

export function tokenRequestFrom(args: string[]): DevTokenInput {
  const { values } = parseArgs({
    args,
    options: {
      site: { type: "string" },
      rep: { type: "string" },
      role: { type: "string", multiple: true },
      ttl: { type: "string" },
    },
  });
  if (!values.site || !values.rep) throw new Error(USAGE);
  const roles = values.role ?? ["rep"];
  for (const role of roles)
    if (!(AGENT_ROLES as readonly string[]).includes(role)) throw new Error(`unknown role ${role}\n${USAGE}`);
  const ttlSeconds = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) throw new Error(USAGE);
  return { siteId: values.site, repId: values.rep, roles: roles as AgentRole[], ttlSeconds };
}

async function main(): Promise<void> {
  const request = tokenRequestFrom(process.argv.slice(2));
  const key = await loadOrCreateDevSigningKey(process.env.AGENT_DEV_KEY_DIR);
  process.stdout.write(`${await signDevToken(key, request)}\n`);
}

if (require.main === module)
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
