import { AbandonReason, EndReason, RepState, SessionState } from "@handoff/proto/common";
import { EventLogBuilder, team, type LoggedEvent } from "./event-log-builder";

const S = 1_000;
const MIN = 60 * S;

/**
 * A small support morning with known answers (times from `dayStartMs`, 09:00 local at +9 h):
 * - s1: queued in t1 09:00:01, offered to r1, accepted 09:00:05 (wait 4 s), ended 09:10:00; survey 5.
 * - s2: queued 09:01:00 with an estimate (p50 30 s, p90 60 s); offered to r2, rejected 09:01:03;
 *   offered to r1 09:10:00, expired 09:10:20; abandoned 09:10:30 (wait 9 min 30 s).
 * - s3: queued 09:02:00, abandoned 09:02:03 (a short abandon).
 * - s4: queued 09:05:00, offered to r2, accepted 09:05:10; transferred to t2 09:15:00; offered to r3,
 *   accepted 09:15:30 (wait 30 s); ended 09:25:00; survey 3 (for t2, the last queue).
 * - s5: queued 09:20:00, offered to r1, abandoned 09:20:05 while ringing.
 * - Every session's problem type is "printing" but s5's, "network".
 * - r1, r2 (t1) and r3 (t2) log in at 09:00; r1 goes away for lunch 09:30.
 */
export function handmadeDay(siteId: string, dayStartMs: number): LoggedEvent[] {
  const at = (h: number, m: number, s = 0) => dayStartMs + h * 60 * MIN + m * MIN + s * S;
  const t1 = team("t1");
  const t2 = team("t2");
  const log = new EventLogBuilder(siteId);

  for (const [rep, teams] of [
    ["r1", ["t1"]],
    ["r2", ["t1"]],
    ["r3", ["t2"]],
  ] as const) {
    log
      .presence(at(9, 0), rep, { $case: "repLoggedIn", repLoggedIn: { teamIds: [...teams] } })
      .stateChanged(at(9, 0), rep, RepState.REP_STATE_OFFLINE, 0, RepState.REP_STATE_AVAILABLE)
      .presence(at(9, 0), rep, { $case: "repCapacitySet", repCapacitySet: { capacity: 1, skills: ["printers"] } });
  }
  log.stateChanged(at(9, 30), "r1", RepState.REP_STATE_AVAILABLE, 30 * MIN, RepState.REP_STATE_AWAY, "lunch");

  log
    .created(at(9, 0, 0), "s1", t1)
    .queued(at(9, 0, 1), "s1", t1)
    .offered(at(9, 0, 1), "s1", 1, "r1", t1)
    .accepted(at(9, 0, 5), "s1", 1, "r1", 4 * S)
    .ended(at(9, 10), "s1", 1, "r1", 10 * MIN - 5 * S)
    .session(at(9, 10, 1), "s1", SessionState.SESSION_STATE_ENDED, {
      $case: "sessionClosed",
      sessionClosed: {
        finalState: SessionState.SESSION_STATE_ENDED,
        actor: 2,
        reason: EndReason.END_REASON_RESOLVED,
        actorId: "r1",
        abandonReason: 0,
      },
    })
    .session(at(9, 11), "s1", SessionState.SESSION_STATE_ENDED, {
      $case: "surveySubmitted",
      surveySubmitted: { satisfaction: 5, comment: "quick" },
    });

  log
    .created(at(9, 1), "s2", t1)
    .queued(at(9, 1), "s2", t1)
    .routing(at(9, 1), "s2", 0, {
      $case: "waitEstimated",
      waitEstimated: { position: 1, estimate: { p50Ms: 30 * S, p90Ms: 60 * S, known: true } },
    })
    .offered(at(9, 1), "s2", 1, "r2", t1)
    .routing(at(9, 1, 3), "s2", 1, { $case: "offerRejected", offerRejected: { repId: "r2" } })
    .offered(at(9, 10), "s2", 2, "r1", t1)
    .routing(at(9, 10, 20), "s2", 2, { $case: "offerExpired", offerExpired: { repId: "r1" } })
    .routing(at(9, 10, 30), "s2", 2, {
      $case: "sessionAbandoned",
      sessionAbandoned: { reason: AbandonReason.ABANDON_REASON_CUSTOMER_LEFT, waitedMs: 9 * MIN + 30 * S },
    });

  log
    .created(at(9, 2), "s3", t1)
    .queued(at(9, 2), "s3", t1)
    .routing(at(9, 2, 3), "s3", 0, {
      $case: "sessionAbandoned",
      sessionAbandoned: { reason: AbandonReason.ABANDON_REASON_CUSTOMER_LEFT, waitedMs: 3 * S },
    });

  log
    .created(at(9, 5), "s4", t1)
    .queued(at(9, 5), "s4", t1)
    .offered(at(9, 5), "s4", 1, "r2", t1)
    .accepted(at(9, 5, 10), "s4", 1, "r2", 10 * S)
    .routing(at(9, 15), "s4", 2, {
      $case: "sessionTransferred",
      sessionTransferred: { fromRepId: "r2", target: t2, priority: 0, reason: "" },
    })
    .offered(at(9, 15), "s4", 3, "r3", t2)
    .accepted(at(9, 15, 30), "s4", 3, "r3", 10 * MIN + 30 * S)
    .ended(at(9, 25), "s4", 3, "r3", 9 * MIN + 30 * S)
    .session(at(9, 26), "s4", SessionState.SESSION_STATE_ENDED, {
      $case: "surveySubmitted",
      surveySubmitted: { satisfaction: 3, comment: "" },
    });

  log
    .created(at(9, 20), "s5", t1, "network")
    .queued(at(9, 20), "s5", t1, "network")
    .offered(at(9, 20), "s5", 1, "r1", t1)
    .routing(at(9, 20, 5), "s5", 1, {
      $case: "sessionAbandoned",
      sessionAbandoned: { reason: AbandonReason.ABANDON_REASON_CUSTOMER_LEFT, waitedMs: 5 * S },
    });

  return log.events;
}

/**
 * The site's settings as its admin saved them twice that morning (intake's SiteSettingsChanged): at
 * 08:00 version 1 (UTC, X = 20 s, short abandons below 5 s), at 08:30 version 2 (Europe/Berlin,
 * X = 30 s, short abandons below 6 s). Version 2 is the site's: with it t1's day has 2 short abandons
 * (s3 at 3 s, s5 at 5 s), service level 2 / 3 and abandon rate 1 / 3, and t2's s4 (30 s) is within X.
 */
export function handmadeSettings(siteId: string, dayStartMs: number): LoggedEvent[] {
  return new EventLogBuilder(siteId)
    .siteSettings(dayStartMs + 8 * 60 * MIN, 1, {
      timeZone: "UTC",
      serviceLevelThresholdMs: 20 * S,
      shortAbandonThresholdMs: 5 * S,
    })
    .siteSettings(dayStartMs + 8 * 60 * MIN + 30 * MIN, 2, {
      timeZone: "Europe/Berlin",
      serviceLevelThresholdMs: 30 * S,
      shortAbandonThresholdMs: 6 * S,
    }).events;
}
