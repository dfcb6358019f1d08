import { AbandonReason, EndReason, RepState, SessionState } from "@handoff/proto/common";
import { EventLogBuilder, team, type LoggedEvent } from "./event-log-builder";
import { prng } from "./prng";

const S = 1_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface SyntheticLogOptions {
  siteId: string;
  /** Midnight (UTC) of the first day. */
  startMs: number;
  days: number;
  teams: number;
  repsPerTeam: number;
  sessionsPerTeamPerDay: number;
  seed: number;
}

/**
 * A busy log for load and crash tests, as the producers would publish it (each topic in event time
 * order): every day each team's reps log in at 08:00 and sessions arrive over 08:00–18:00. A session
 * is created and queued; one in ten is abandoned while waiting; the rest are offered, accepted, ended
 * after 2–20 minutes, closed and (half of them) rated. Answered sessions give 6–7 events, abandoned
 * ones 4, each rep 3 a day. Seeded, so a log can be built again to compare.
 */
export function syntheticLog(options: SyntheticLogOptions): LoggedEvent[] {
  const random = prng(options.seed);
  const steps: { at: number; order: number; apply: (log: EventLogBuilder) => void }[] = [];
  const step = (at: number, apply: (log: EventLogBuilder) => void) => steps.push({ at, order: steps.length, apply });
  for (let day = 0; day < options.days; day++) {
    const opens = options.startMs + day * DAY + 8 * HOUR;
    for (let t = 0; t < options.teams; t++) {
      const teamId = `team-${t}`;
      const target = team(teamId);
      const reps = Array.from({ length: options.repsPerTeam }, (_, r) => `rep-${t}-${r}`);
      for (const repId of reps)
        step(opens, (log) =>
          log
            .presence(opens, repId, { $case: "repLoggedIn", repLoggedIn: { teamIds: [teamId] } })
            .stateChanged(opens, repId, RepState.REP_STATE_OFFLINE, 0, RepState.REP_STATE_AVAILABLE)
            .presence(opens, repId, { $case: "repCapacitySet", repCapacitySet: { capacity: 1, skills: [] } }),
        );
      for (let n = 0; n < options.sessionsPerTeamPerDay; n++) {
        const sessionId = `s-${day}-${t}-${n}`;
        const created = opens + random.int(0, 10 * HOUR - 30 * MIN);
        const queued = created + random.int(0, 2 * S);
        step(created, (log) => log.created(created, sessionId, target));
        step(queued, (log) => log.queued(queued, sessionId, target));
        const waited = random.int(1 * S, 3 * MIN);
        if (random.chance(0.1)) {
          step(queued + waited, (log) =>
            log
              .routing(queued + waited, sessionId, 0, {
                $case: "sessionAbandoned",
                sessionAbandoned: { reason: AbandonReason.ABANDON_REASON_CUSTOMER_LEFT, waitedMs: waited },
              })
              .session(queued + waited, sessionId, SessionState.SESSION_STATE_ABANDONED, {
                $case: "sessionClosed",
                sessionClosed: {
                  finalState: SessionState.SESSION_STATE_ABANDONED,
                  actor: 1,
                  reason: EndReason.END_REASON_UNSPECIFIED,
                  actorId: "",
                  abandonReason: AbandonReason.ABANDON_REASON_CUSTOMER_LEFT,
                },
              }),
          );
          continue;
        }
        const repId = random.pick(reps);
        const offered = queued + waited - random.int(0, Math.min(waited, 10 * S));
        const accepted = queued + waited;
        const handled = random.int(2 * MIN, 20 * MIN);
        const rating = random.chance(0.5) ? random.int(1, 5) : 0;
        step(offered, (log) => log.offered(offered, sessionId, 1, repId, target));
        step(accepted, (log) => log.accepted(accepted, sessionId, 1, repId, waited));
        step(accepted + handled, (log) => {
          log
            .ended(accepted + handled, sessionId, 1, repId, handled)
            .session(accepted + handled, sessionId, SessionState.SESSION_STATE_ENDED, {
              $case: "sessionClosed",
              sessionClosed: {
                finalState: SessionState.SESSION_STATE_ENDED,
                actor: 2,
                reason: EndReason.END_REASON_RESOLVED,
                actorId: repId,
                abandonReason: 0,
              },
            });
          if (rating > 0)
            log.session(accepted + handled + MIN, sessionId, SessionState.SESSION_STATE_ENDED, {
              $case: "surveySubmitted",
              surveySubmitted: { satisfaction: rating, comment: "" },
            });
        });
      }
    }
  }
  steps.sort((a, b) => a.at - b.at || a.order - b.order);
  const log = new EventLogBuilder(options.siteId);
  for (const { apply } of steps) apply(log);
  return log.events;
}
