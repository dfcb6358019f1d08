import type { RepRecord, SessionRecord, SiteSnapshot } from "./routing-snapshot";

/**
 * The routing rules (ARCHITECTURE.md §4) as checks on one consistent snapshot of a site. Each returns
 * readable violations; an empty list means the rule holds.
 */

const MAX_PRIORITY = 1000;
const ORDER_PREFIX = 18;
const STATES = new Set(["w", "o", "a", "e", "x"]);

/** Every queue the session waits in: its primary queue and the teams it overflowed to. */
export function queuesOf(s: SessionRecord): string[] {
  return [s.q, ...s.x.map((team) => `t:${team}`).filter((q) => q !== s.q)];
}

const routable = (r: RepRecord) => r.con && r.cap > 0;
const hasFreeCapacity = (r: RepRecord) => routable(r) && !r.nr && r.load < r.cap;

/** Whether the rep may be offered the session from queue `q` right now (mirrors the acd's rule). */
export function eligibleFor(r: RepRecord, s: SessionRecord, q: string, teams: Map<string, string>): boolean {
  if (s.aw || !hasFreeCapacity(r)) return false;
  if (!s.sk.every((skill) => r.sk.includes(skill))) return false;
  if (s.rejecters.includes(r.id)) return false;
  if (q.startsWith("r:")) return q.slice(2) === r.id;
  const team = q.slice(2);
  return r.teams.includes(team) && teams.get(team) !== undefined && teams.get(team) !== "mn";
}

/**
 * Every session in exactly one state: a waiting session is in exactly its queues (primary + overflow
 * teams) under its own member and score; an offered or active one has a rep and is in no queue; ended
 * and abandoned ones are in no queue. Every queue member belongs to such a waiting session.
 */
export function checkSessionStates(snap: SiteSnapshot): string[] {
  const out: string[] = [];
  const membership = new Map<string, string[]>();
  for (const [q, entries] of snap.queues) {
    for (const { member, score } of entries) {
      const id = member.slice(ORDER_PREFIX);
      const s = snap.sessions.get(id);
      (membership.get(id) ?? membership.set(id, []).get(id)!).push(q);
      if (!s) out.push(`queue ${q} holds ${member}, which is no known session`);
      else if (s.st !== "w") out.push(`queue ${q} holds session ${id} in state ${s.st}`);
      else if (member !== s.o) out.push(`queue ${q} holds ${member}, but session ${id} has member ${s.o}`);
      else if (score !== MAX_PRIORITY - s.p)
        out.push(`queue ${q} scores session ${id} ${score}, its priority is ${s.p}`);
    }
  }
  for (const s of snap.sessions.values()) {
    if (!STATES.has(s.st)) out.push(`session ${s.id} has unknown state ${s.st}`);
    const inQueues = (membership.get(s.id) ?? []).sort();
    if (s.st === "w") {
      const expected = queuesOf(s).sort();
      if (inQueues.join() !== expected.join())
        out.push(`waiting session ${s.id} is in [${inQueues.join(",")}] instead of [${expected.join(",")}]`);
      if (s.r) out.push(`waiting session ${s.id} still names rep ${s.r}`);
    } else if (inQueues.length > 0) {
      out.push(`session ${s.id} in state ${s.st} is still in [${inQueues.join(",")}]`);
    }
    if ((s.st === "o" || s.st === "a") && !(s.r && snap.reps.get(s.r)?.known)) {
      out.push(`session ${s.id} in state ${s.st} names no known rep (${s.r})`);
    }
  }
  return out;
}

/**
 * No session offered to two reps at once, and each rep's counters agree with the sessions: a rep's load
 * is the number of sessions offered to or active with him, `act` the active ones, and `ro:<rep>` exactly
 * his open offers. Every open offer has its expiry deadline, and no deadline is left for a closed one.
 */
export function checkRepHoldings(snap: SiteSnapshot): string[] {
  const out: string[] = [];
  const offered = new Map<string, string[]>();
  const active = new Map<string, string[]>();
  for (const s of snap.sessions.values()) {
    if (!s.r) continue;
    if (s.st === "o") (offered.get(s.r) ?? offered.set(s.r, []).get(s.r)!).push(s.id);
    if (s.st === "a") (active.get(s.r) ?? active.set(s.r, []).get(s.r)!).push(s.id);
  }
  for (const r of snap.reps.values()) {
    const o = (offered.get(r.id) ?? []).sort();
    const a = active.get(r.id) ?? [];
    if (r.load !== o.length + a.length)
      out.push(`rep ${r.id} has load ${r.load} but ${o.length} offered + ${a.length} active sessions`);
    if (r.act !== a.length) out.push(`rep ${r.id} has act ${r.act} but ${a.length} active sessions`);
    const ro = [...r.offered].sort();
    if (ro.join() !== o.join())
      out.push(`rep ${r.id} ro set [${ro.join(",")}] differs from his offered sessions [${o.join(",")}]`);
  }
  const deadlines = new Set(snap.deadlines.map((d) => d.member));
  for (const s of snap.sessions.values()) {
    if (s.st === "o" && !deadlines.has(`o|${s.id}|${s.e}`))
      out.push(`offered session ${s.id} (epoch ${s.e}) has no expiry deadline`);
  }
  for (const { member } of snap.deadlines) {
    const [kind, id = "", n] = member.split("|");
    const s = snap.sessions.get(id);
    if (kind === "o" && !(s && s.st === "o" && s.e === Number(n))) {
      out.push(`expiry deadline ${member} is left for session ${id} in state ${s?.st} epoch ${s?.e}`);
    }
  }
  return out;
}

/**
 * A rep is never offered beyond his routable capacity: whoever holds an open offer is routable and
 * within capacity. (Active sessions alone may exceed a capacity that presence lowered afterwards; the
 * acd then withdraws his open offers, so this is the strongest form that always holds.) The push index
 * of each team holds exactly the reps with free capacity logged in to it (none for a manual team).
 */
export function checkCapacity(snap: SiteSnapshot): string[] {
  const out: string[] = [];
  for (const r of snap.reps.values()) {
    if (r.offered.length === 0) continue;
    if (!routable(r))
      out.push(
        `rep ${r.id} holds ${r.offered.length} open offers while not routable (cap ${r.cap}, connected ${r.con})`,
      );
    else if (r.load > r.cap) out.push(`rep ${r.id} holds open offers with load ${r.load} above capacity ${r.cap}`);
  }
  for (const [team, members] of snap.indexes) {
    const indexed = new Set(members);
    for (const r of snap.reps.values()) {
      const belongs = hasFreeCapacity(r) && r.teams.includes(team) && snap.teams.get(team) !== "mn";
      if (belongs && !indexed.has(r.id))
        out.push(`rep ${r.id} has free capacity in team ${team} but is not in its index`);
      if (!belongs && indexed.has(r.id)) out.push(`rep ${r.id} is in team ${team}'s index without free capacity there`);
    }
  }
  return out;
}

/**
 * Work-conserving: no session whose customer is present waits while a rep who may take it (connected,
 * routable, not not-responding, with free capacity and all its skills, serving one of its queues by
 * push, and not one who rejected it) has room; so a customer coming back is matched at once. Every script matches before it returns, so this holds between any two
 * scripts, not only at rest.
 */
export function checkWorkConserving(snap: SiteSnapshot): string[] {
  const out: string[] = [];
  for (const s of snap.sessions.values()) {
    if (s.st !== "w") continue;
    for (const q of queuesOf(s)) {
      const idle = [...snap.reps.values()].filter((r) => eligibleFor(r, s, q, snap.teams));
      if (idle.length > 0) {
        const position = (snap.queues.get(q) ?? []).findIndex((e) => e.member === s.o) + 1;
        out.push(
          `session ${s.id} waits in ${q} (position ${position}, priority ${s.p}, skills [${s.sk.join(",")}]) while ${idle
            .map((r) => `${r.id} (load ${r.load}/${r.cap})`)
            .join(", ")} could take it`,
        );
      }
    }
  }
  return out;
}

/** All structural rules that hold at any moment. */
export function checkConsistency(snap: SiteSnapshot): string[] {
  return [...checkSessionStates(snap), ...checkRepHoldings(snap), ...checkCapacity(snap)];
}

/** Violations as one readable text for `expect(...).toBe("")`: the first few, and how many in all. */
export function listed(violations: readonly string[], shown = 8): string {
  if (violations.length === 0) return "";
  const more = violations.length > shown ? `\n… ${violations.length} in all` : "";
  return violations.slice(0, shown).join("\n") + more;
}
