import type { QueueTarget } from "@handoff/proto/common";
import type { LoggedRoutingEvent } from "./event-log";
import type { SiteSnapshot } from "./routing-snapshot";

/**
 * Rebuilds a site's routing state from its events alone (as a consumer of `handoff.routing.v1` would),
 * checking on the way the rules that only the order of transitions shows: no second offer while one is
 * open or the session is active, no offer beyond a rep's routable capacity or to a not-responding rep,
 * no offer to a rep who rejected or transferred the session, no offer while the customer is away, no push
 * from a manual team, epochs that only grow, and transitions that follow the state machine.
 */

export interface ReplayedSession {
  id: string;
  state: "w" | "o" | "a" | "e" | "x";
  rep: string | undefined;
  epoch: number;
  queue: string;
  priority: number;
  /** Queue and priority as enqueued (transfers and overflow change them later). */
  queuedQueue: string;
  queuedPriority: number;
  overflowTeams: string[];
  skills: string[];
  rejecters: Set<string>;
  /** Index (in event order) of SessionQueued and of the first OfferCreated. */
  queuedAt: number;
  firstOfferAt: number | undefined;
  abandonedAt: number | undefined;
  rebuilt: boolean;
  overflowedBeforeFirstOffer: boolean;
  /** The customer is away keeping his place (CustomerAwayChanged; an accept ends it). */
  away: boolean;
  /** The last away change applied (its versions only grow). */
  awayVersion: number;
  /** Event indexes of his absences: [went away, came back) (Infinity while still away). */
  awaySpans: [number, number][];
}

export interface ReplayedRep {
  id: string;
  cap: number;
  connected: boolean;
  version: number;
  teams: string[];
  nr: boolean;
  load: number;
  act: number;
}

/** Which rule a violation breaks. */
export type ReplayRule = "exclusive" | "capacity" | "eligibility" | "state-machine";

export interface Replay {
  sessions: Map<string, ReplayedSession>;
  reps: Map<string, ReplayedRep>;
  violations: { rule: ReplayRule; message: string }[];
  /** Counts by event type. */
  counts: Map<string, number>;
  /** Offers to a rep who had rejected the session before a later transfer reset its rejecters. */
  reofferedAfterTransfer: string[];
}

const encodeTarget = (t: QueueTarget | undefined) =>
  t?.target?.$case === "teamId" ? `t:${t.target.teamId}` : t?.target?.$case === "repId" ? `r:${t.target.repId}` : "";

/** `manualTeams`: the site's teams with the manual strategy (never pushed, only pulled). */
export function replayRoutingEvents(logged: readonly LoggedRoutingEvent[], manualTeams: ReadonlySet<string>): Replay {
  const sessions = new Map<string, ReplayedSession>();
  const reps = new Map<string, ReplayedRep>();
  const violations: Replay["violations"] = [];
  const violate = (rule: ReplayRule, message: string) => void violations.push({ rule, message });
  const counts = new Map<string, number>();
  const reofferedAfterTransfer: string[] = [];
  const transferredRejecters = new Map<string, Set<string>>();

  const setAway = (s: ReplayedSession, away: boolean, index: number) => {
    if (away && !s.away) s.awaySpans.push([index, Infinity]);
    if (!away && s.away) s.awaySpans[s.awaySpans.length - 1]![1] = index;
    s.away = away;
  };
  const rep = (id: string): ReplayedRep => {
    let r = reps.get(id);
    if (!r) {
      violate("state-machine", `event names rep ${id} before any RepCapacityChanged`);
      r = { id, cap: 0, connected: false, version: 0, teams: [], nr: false, load: 0, act: 0 };
      reps.set(id, r);
    }
    return r;
  };
  const release = (r: ReplayedRep, wasActive: boolean, at: string) => {
    if (r.load === 0 || (wasActive && r.act === 0))
      violate("exclusive", `${at}: rep ${r.id} released below zero (load ${r.load}, act ${r.act})`);
    r.load = Math.max(0, r.load - 1);
    if (wasActive) r.act = Math.max(0, r.act - 1);
  };

  logged.forEach(({ event: ev, streamId }, index) => {
    const payload = ev.payload;
    if (!payload) return violate("state-machine", `${streamId}: event without payload`);
    counts.set(payload.$case, (counts.get(payload.$case) ?? 0) + 1);
    const at = `${streamId} ${payload.$case} ${ev.sessionId}`;
    const s = ev.sessionId ? sessions.get(ev.sessionId) : undefined;
    /** An offer's resolution must name the open offer: the session offered, to this rep, at this epoch. */
    const closesOffer = (session: ReplayedSession, repId: string) => {
      if (session.state === "o" && session.rep === repId && session.epoch === ev.epoch) return true;
      violate(
        "exclusive",
        `${at}: resolves an offer to ${repId} at epoch ${ev.epoch}, but the session is ${session.state} with ${session.rep} at epoch ${session.epoch}`,
      );
      return false;
    };
    const sessionEvent = !["sessionQueued", "repCapacityChanged", "routingConfigChanged", "waitEstimated"].includes(
      payload.$case,
    );
    if (sessionEvent && !s) return violate("state-machine", `${at}: unknown session`);

    switch (payload.$case) {
      case "sessionQueued": {
        const q = payload.sessionQueued;
        if (s) violate("state-machine", `${at}: queued twice`);
        sessions.set(ev.sessionId, {
          id: ev.sessionId,
          state: "w",
          rep: undefined,
          epoch: ev.epoch,
          queue: encodeTarget(q.target),
          priority: q.priority,
          queuedQueue: encodeTarget(q.target),
          queuedPriority: q.priority,
          overflowTeams: [],
          skills: q.requiredSkills,
          rejecters: new Set(),
          queuedAt: index,
          firstOfferAt: undefined,
          abandonedAt: undefined,
          rebuilt: q.rebuilt,
          overflowedBeforeFirstOffer: false,
          away: false,
          awayVersion: 0,
          awaySpans: [],
        });
        return;
      }
      case "offerCreated": {
        if (!s) return;
        const offer = payload.offerCreated;
        const r = rep(offer.repId);
        if (s.state === "o" || s.state === "a")
          violate(
            "exclusive",
            `${at}: offered to ${r.id} while ${s.state === "o" ? "offered to" : "active with"} ${s.rep}`,
          );
        else if (s.state !== "w") violate("state-machine", `${at}: offered to ${r.id} while ${s.state}`);
        if (ev.epoch !== s.epoch + 1) violate("state-machine", `${at}: offer epoch ${ev.epoch} after epoch ${s.epoch}`);
        if (!r.connected || r.cap <= 0)
          violate(
            "capacity",
            `${at}: offered to ${r.id}, who is not routable (cap ${r.cap}, connected ${r.connected})`,
          );
        if (r.load + 1 > r.cap)
          violate("capacity", `${at}: offer makes ${r.id}'s load ${r.load + 1}, above his capacity ${r.cap}`);
        if (r.nr) violate("eligibility", `${at}: offered to ${r.id}, who is not-responding`);
        if (s.away) violate("eligibility", `${at}: offered to ${r.id} while the customer is away`);
        if (s.rejecters.has(r.id)) violate("eligibility", `${at}: offered to ${r.id}, who rejected or transferred it`);
        if (transferredRejecters.get(s.id)?.has(r.id)) reofferedAfterTransfer.push(`${at} → ${r.id}`);
        const teams = [s.queue, ...s.overflowTeams.map((t) => `t:${t}`)];
        const trigger = offer.decision?.trigger ?? "";
        const pushable = teams.some((q) =>
          q.startsWith("r:") ? q.slice(2) === r.id : r.teams.includes(q.slice(2)) && !manualTeams.has(q.slice(2)),
        );
        const pullable = teams.some((q) => (q.startsWith("r:") ? q.slice(2) === r.id : r.teams.includes(q.slice(2))));
        if (trigger === "pull" ? !pullable : !pushable)
          violate(
            "eligibility",
            `${at}: ${trigger} offer to ${r.id}, who does not serve [${teams.join(",")}] that way (his teams [${r.teams.join(",")}])`,
          );
        s.state = "o";
        s.rep = r.id;
        s.epoch = ev.epoch;
        s.firstOfferAt ??= index;
        r.load += 1;
        return;
      }
      case "offerAccepted": {
        if (!s) return;
        const repId = payload.offerAccepted.repId;
        // A held session restored by a rebuild: its SessionQueued (rebuilt) and OfferAccepted at one epoch.
        if (s.rebuilt && s.state === "w" && s.firstOfferAt === undefined && ev.epoch === s.epoch) {
          const r = reps.get(repId) ?? {
            id: repId,
            cap: 0,
            connected: false,
            version: 0,
            teams: [],
            nr: false,
            load: 0,
            act: 0,
          };
          reps.set(repId, r);
          Object.assign(s, { state: "a", rep: repId, firstOfferAt: index });
          r.load += 1;
          r.act += 1;
          return;
        }
        if (!closesOffer(s, repId)) return;
        s.state = "a";
        setAway(s, false, index);
        rep(repId).act += 1;
        return;
      }
      case "customerAwayChanged": {
        if (!s) return;
        const { away, version } = payload.customerAwayChanged;
        const live = s.state === "w" || s.state === "o" || (s.state === "a" && !away);
        if (!live) violate("state-machine", `${at}: away ${away} while ${s.state}`);
        if (version <= s.awayVersion)
          violate("state-machine", `${at}: away version ${version} applied after ${s.awayVersion}`);
        if (ev.epoch !== s.epoch) violate("state-machine", `${at}: at epoch ${ev.epoch}, session at ${s.epoch}`);
        s.awayVersion = version;
        setAway(s, away, index);
        return;
      }
      case "offerRejected":
      case "offerExpired":
      case "offerWithdrawn": {
        const repId =
          payload.$case === "offerRejected"
            ? payload.offerRejected.repId
            : payload.$case === "offerExpired"
              ? payload.offerExpired.repId
              : payload.offerWithdrawn.repId;
        if (!s || !closesOffer(s, repId)) return;
        const r = rep(repId);
        if (payload.$case === "offerRejected") s.rejecters.add(repId);
        if (payload.$case === "offerExpired") r.nr = true;
        s.state = "w";
        s.rep = undefined;
        release(r, false, at);
        return;
      }
      case "sessionEnded": {
        if (!s) return;
        if (s.state !== "a" || s.rep !== payload.sessionEnded.repId || s.epoch !== ev.epoch) {
          violate(
            "state-machine",
            `${at}: ends with ${payload.sessionEnded.repId} at epoch ${ev.epoch}, but the session is ${s.state} with ${s.rep} at epoch ${s.epoch}`,
          );
          return;
        }
        release(rep(s.rep), true, at);
        s.state = "e";
        return;
      }
      // A transfer (from an active session) or a requeue (RequeueSession: from an offered or active one).
      case "sessionTransferred": {
        if (!s) return;
        const t = payload.sessionTransferred;
        if ((s.state !== "a" && s.state !== "o") || s.rep !== t.fromRepId || ev.epoch !== s.epoch + 1) {
          violate(
            "state-machine",
            `${at}: transferred from ${t.fromRepId} to epoch ${ev.epoch}, but the session is ${s.state} with ${s.rep} at epoch ${s.epoch}`,
          );
          return;
        }
        release(rep(t.fromRepId), s.state === "a", at);
        transferredRejecters.set(s.id, new Set([...(transferredRejecters.get(s.id) ?? []), ...s.rejecters]));
        const queue = encodeTarget(t.target);
        // A requeue to the queue it was answered from keeps its overflow teams (a transfer to the same
        // queue drops them; the events do not tell the two apart, so the replay is the more lenient).
        const overflowTeams = queue === s.queue ? s.overflowTeams : [];
        Object.assign(s, { state: "w", rep: undefined, epoch: ev.epoch, queue, priority: t.priority, overflowTeams });
        // The rep it leaves may not take it again, unless it went back to his own personal queue.
        s.rejecters = queue === `r:${t.fromRepId}` ? new Set() : new Set([t.fromRepId]);
        return;
      }
      case "sessionAbandoned": {
        if (!s) return;
        if (s.state === "o") release(rep(s.rep!), false, at);
        else if (s.state !== "w") return violate("state-machine", `${at}: abandoned while ${s.state}`);
        if (ev.epoch !== s.epoch)
          violate("state-machine", `${at}: abandoned at epoch ${ev.epoch}, session at ${s.epoch}`);
        s.state = "x";
        s.abandonedAt = index;
        return;
      }
      case "sessionOverflowed": {
        if (!s) return;
        const o = payload.sessionOverflowed;
        if (s.state !== "w" && s.state !== "o") violate("state-machine", `${at}: overflowed while ${s.state}`);
        s.overflowTeams.push(...o.addedTeamIds);
        s.priority = o.priority;
        if (s.firstOfferAt === undefined) s.overflowedBeforeFirstOffer = true;
        return;
      }
      case "repCapacityChanged": {
        const c = payload.repCapacityChanged;
        const r = reps.get(c.repId) ?? {
          id: c.repId,
          cap: 0,
          connected: false,
          version: 0,
          teams: [],
          nr: false,
          load: 0,
          act: 0,
        };
        if (c.version <= r.version)
          violate("state-machine", `${at}: rep ${c.repId} version ${c.version} applied after ${r.version}`);
        Object.assign(r, { cap: c.routableCapacity, connected: c.connected, version: c.version, teams: c.teamIds });
        if (r.cap > 0 && r.connected) r.nr = false;
        reps.set(r.id, r);
        return;
      }
      default:
        return;
    }
  });
  return { sessions, reps, violations, counts, reofferedAfterTransfer };
}

/**
 * Differences between the replayed state and Redis: per session its state, rep, epoch, priority and
 * primary queue; per rep his capacity, connection, version, not-responding mark, load and active count.
 */
export function diffReplay(replay: Replay, snap: SiteSnapshot): string[] {
  const out: string[] = [];
  for (const s of snap.sessions.values()) {
    const r = replay.sessions.get(s.id);
    if (!r) {
      out.push(`session ${s.id} is in Redis (${s.st}) but not in the events`);
      continue;
    }
    const redis = { state: s.st, rep: s.r ?? "", epoch: s.e, priority: s.p, queue: s.q, away: s.aw };
    const replayed = {
      state: r.state,
      rep: r.rep ?? "",
      epoch: r.epoch,
      priority: r.priority,
      queue: r.queue,
      away: r.away,
    };
    if (JSON.stringify(redis) !== JSON.stringify(replayed))
      out.push(`session ${s.id}: Redis ${JSON.stringify(redis)} ≠ replay ${JSON.stringify(replayed)}`);
  }
  for (const id of replay.sessions.keys())
    if (!snap.sessions.has(id)) out.push(`session ${id} is in the events but not in Redis`);
  for (const rep of snap.reps.values()) {
    if (!rep.known) continue;
    const r = replay.reps.get(rep.id);
    const redis = {
      cap: rep.cap,
      con: rep.con,
      ver: rep.ver,
      nr: rep.nr,
      load: rep.load,
      act: rep.act,
      teams: rep.teams.join(),
    };
    const replayed = r && {
      cap: r.cap,
      con: r.connected,
      ver: r.version,
      nr: r.nr,
      load: r.load,
      act: r.act,
      teams: r.teams.join(),
    };
    if (JSON.stringify(redis) !== JSON.stringify(replayed))
      out.push(`rep ${rep.id}: Redis ${JSON.stringify(redis)} ≠ replay ${JSON.stringify(replayed)}`);
  }
  return out;
}

/**
 * First come, first served within a queue and a priority, as far as the acd can promise it.
 *
 * Guarantee checked: take two sessions A and B with the same primary queue and the same priority at
 * enqueue, both from EnqueueSession (not a rebuild), neither needing any skill, neither overflowed before
 * its first offer. If A was queued before B (stream order of SessionQueued), then B is not offered for
 * the first time while A is still waiting without ever having been offered. It holds because A and B are
 * eligible for exactly the same reps at every moment up to their first offers (same queue, no skills, no
 * rejecters yet), every script matches before it returns (work-conserving), and a rep takes the first
 * eligible member of a queue ordered by (priority, enqueue ms, sequence), which is enqueue order.
 * A customer away keeping his place is not eligible: B may pass A while A is away (A keeps his place, so
 * once back he is again ahead of everyone queued after him), never while A is present.
 *
 * Not promised, so not checked: re-offers after a rejection, expiry or withdrawal (the session keeps its
 * place, but its rejecters and the not-responding reps now differ); sessions needing skills (a rep without
 * them rightly takes a later one); transferred, overflowed and rebuilt sessions (their queue, priority or
 * enqueue time changed); order across different queues; and a session further back than the acd's scan
 * window (50 heads per queue) behind sessions the rep may not take.
 */
export function checkFirstComeFirstServed(replay: Replay): string[] {
  const groups = new Map<string, ReplayedSession[]>();
  for (const s of replay.sessions.values()) {
    if (s.rebuilt || s.skills.length > 0 || s.overflowedBeforeFirstOffer) continue;
    const key = `${s.queuedQueue} priority ${s.queuedPriority}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(s);
  }
  const out: string[] = [];
  for (const [key, group] of groups) {
    group.sort((a, b) => a.queuedAt - b.queuedAt);
    group.forEach((b, i) => {
      if (b.firstOfferAt === undefined) return;
      const a = group.slice(0, i).find((earlier) => {
        const servedBefore = earlier.firstOfferAt !== undefined && earlier.firstOfferAt < b.firstOfferAt!;
        const goneBefore = earlier.abandonedAt !== undefined && earlier.abandonedAt < b.firstOfferAt!;
        const awayThen = earlier.awaySpans.some(([from, to]) => from < b.firstOfferAt! && b.firstOfferAt! < to);
        return !servedBefore && !goneBefore && !awayThen;
      });
      if (a)
        out.push(
          `${key}: ${b.id} was first offered (event #${b.firstOfferAt}) while ${a.id}, queued earlier, still waited for its first offer`,
        );
    });
  }
  return out;
}
