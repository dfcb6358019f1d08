import { RoutingConfig } from "@handoff/proto/acd_service";
import { RoutingStrategy, StartMethod } from "@handoff/proto/common";
import { CreateSessionRequest } from "@handoff/proto/session_broker_service";

/** The one problem type of a bench site; it routes to team `t1`. */
export const BENCH_PROBLEM_TYPE = "printers";
export const BENCH_TEAM = "t1";

/** A site's routing: team `t1` (longest idle, 30 s offers) of `repIds`, taking every `printers` issue. */
export function oneTeamRouting(repIds: readonly string[]): RoutingConfig {
  return RoutingConfig.fromPartial({
    teams: [
      {
        id: BENCH_TEAM,
        name: "Team 1",
        strategy: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE,
        offerTimeoutMs: 30_000,
        memberRepIds: [...repIds],
      },
    ],
    problemTypes: [{ id: BENCH_PROBLEM_TYPE, label: "Printers", teamId: BENCH_TEAM, priority: 0, requiredSkills: [] }],
  });
}

/** A customer's issue submission to the broker (CreateSession) for the bench's problem type; other fields empty. */
export const issueSubmission = (siteId: string): CreateSessionRequest =>
  CreateSessionRequest.fromPartial({
    siteId,
    startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION,
    problemTypeId: BENCH_PROBLEM_TYPE,
    customer: {
      name: "Bench Customer",
      company: "Acme",
      email: "bench@example.com",
      description: "printer",
      locale: "en",
    },
    consent: {
      agreementAccepted: true,
      agreementVersion: "2026-01",
    },
    clientAddress: "127.0.0.1",
  });
