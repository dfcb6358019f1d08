// The demo site `npm start` gives a newcomer: its teams, problem types and reps, put into the acd at
// every start (the acd versions the config; putting the same one again is harmless). The one place
// to extend the demo.
import { credentials } from "@grpc/grpc-js";
import { AcdServiceClient, type RoutingConfig, type Team } from "@handoff/proto/acd_service";
import { RoutingStrategy } from "@handoff/proto/common";

export const DEMO_SITE_ID = "demo";

const team = (id: string, name: string, memberRepIds: string[]): Team => ({
  id,
  name,
  strategy: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE,
  offerTimeoutMs: 30_000,
  // After two minutes in billing, a session may go to support too.
  overflow: id === "billing" ? [{ afterMs: 120_000, addTeamIds: ["support"], priorityIncrease: 0 }] : [],
  transferKeepsWaitTime: true,
  transferPriorityBoost: 0,
  memberRepIds,
});

/** Who may log in to which team: alice in support, carol in billing, bob in both. */
export const DEMO_ROUTING: RoutingConfig = {
  version: 0,
  teams: [team("support", "Support", ["alice", "bob"]), team("billing", "Billing", ["bob", "carol"])],
  problemTypes: [
    { id: "general", label: "Something does not work", teamId: "support", priority: 0, requiredSkills: [] },
    { id: "invoice", label: "A question about an invoice", teamId: "billing", priority: 0, requiredSkills: [] },
  ],
};

/** One line for the start summary. */
export const demoSiteSummary = (): string =>
  `site ${DEMO_SITE_ID}: ${DEMO_ROUTING.teams.map((t) => `${t.id} (${t.memberRepIds.join(", ")})`).join(", ")}`;

/** Puts the demo site's routing config into the acd at `acdAddress`. */
export async function seedDemoSite(acdAddress: string): Promise<void> {
  const acd = new AcdServiceClient(acdAddress, credentials.createInsecure());
  try {
    await new Promise<void>((resolve, reject) =>
      acd.putRoutingConfig({ siteId: DEMO_SITE_ID, config: DEMO_ROUTING }, (error) =>
        error ? reject(new Error(`the demo site's routing config was refused: ${error.message}`)) : resolve(),
      ),
    );
  } finally {
    acd.close();
  }
}
