import { z } from "zod";
import { idField } from "../fields";

export const AGENT_ROLES = ["rep", "supervisor", "admin"] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** Who a verified agent token speaks for: one person of one site. */
export interface AgentPrincipal {
  siteId: string;
  /** The rep's (or supervisor's) id: the token's `sub`. */
  repId: string;
  roles: ReadonlySet<AgentRole>;
}

/** The claims an agent token must carry; anything else in it is ignored. Unknown roles are dropped. */
const agentClaims = z.object({
  site: idField,
  sub: idField,
  roles: z.array(z.string().max(50)).max(20),
});

/** Why a token's claims do not make a principal (e.g. `site: ...`), or the principal. */
export function principalFromClaims(
  claims: unknown,
): { principal: AgentPrincipal; problem?: never } | { problem: string; principal?: never } {
  const parsed = agentClaims.safeParse(claims);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `claim ${issue?.path.join(".") || "?"}: ${issue?.message ?? "invalid"}` };
  }
  const roles = new Set(
    parsed.data.roles.filter((r): r is AgentRole => (AGENT_ROLES as readonly string[]).includes(r)),
  );
  if (roles.size === 0) return { problem: `claim roles: must hold one of ${AGENT_ROLES.join(", ")}` };
  return { principal: { siteId: parsed.data.site, repId: parsed.data.sub, roles } };
}
