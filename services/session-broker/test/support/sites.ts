import type { Team } from "@handoff/proto/acd_service";
import { newSiteId, type SessionStack } from "@handoff/testing";

/**
 * A new site whose problem type `general` goes to `team`; every team's members may log in. Returns the
 * site id.
 */
export async function siteWithTeams(stack: SessionStack, teams: Team[]): Promise<string> {
  const siteId = newSiteId();
  await stack.acd.putRoutingConfig({
    siteId,
    config: {
      version: 0,
      teams,
      problemTypes: [{ id: "general", label: "General", teamId: teams[0]!.id, priority: 0, requiredSkills: [] }],
    },
  });
  return siteId;
}
