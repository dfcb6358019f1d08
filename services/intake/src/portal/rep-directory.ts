import { callUnary, createGrpcClient, type GrpcTls } from "@handoff/runtime";
import type { RoutingConfig } from "@handoff/proto/acd_service";
import { RepState } from "@handoff/proto/common";
import { PresenceServiceClient, type RepPresence } from "@handoff/proto/presence_service";

export interface ListedRep {
  repId: string;
  displayName: string;
}

/** Teams asked at most per site: a portal lists the reps of its first teams, not of a thousand. */
const MAX_TEAMS = 50;
const CACHE_MS = 2_000;
const MAX_CACHED_SITES = 10_000;

/**
 * Shown on the rep list: logged in, available and with a live desktop connection. A rep whose
 * capacity is full right now is still listed: the customer waits in his personal queue.
 */
const listable = (rep: RepPresence) => rep.state === RepState.REP_STATE_AVAILABLE && rep.liveConnections > 0;

/**
 * The reps a customer may pick on the portal: those presence has logged in to the site's teams and
 * available (`listable`). When the portal config names reps, only those, in its order, by their
 * display names; otherwise all, by id, in the teams' order of the routing config and each team's
 * member order.
 */
export class RepDirectory {
  private readonly client: PresenceServiceClient;
  private readonly cache = new Map<string, { atMs: number; reps: Promise<ListedRep[]> }>();

  constructor(presenceAddress: string, tls: GrpcTls) {
    this.client = createGrpcClient(PresenceServiceClient, presenceAddress, tls);
  }

  async listed(siteId: string, routing: RoutingConfig | undefined, named: readonly ListedRep[]): Promise<ListedRep[]> {
    const present = await this.present(siteId, routing);
    if (named.length === 0) return present;
    const here = new Set(present.map((rep) => rep.repId));
    return named.filter((rep) => here.has(rep.repId));
  }

  private present(siteId: string, routing: RoutingConfig | undefined): Promise<ListedRep[]> {
    const key = `${siteId}/${routing?.version ?? 0}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.atMs < CACHE_MS) return cached.reps;
    const reps = this.load(siteId, routing);
    reps.catch(() => this.cache.delete(key));
    this.cache.delete(key);
    this.cache.set(key, { atMs: Date.now(), reps });
    if (this.cache.size > MAX_CACHED_SITES) this.cache.delete(this.cache.keys().next().value!);
    return reps;
  }

  private async load(siteId: string, routing: RoutingConfig | undefined): Promise<ListedRep[]> {
    const teams = (routing?.teams ?? []).slice(0, MAX_TEAMS);
    const answers = await Promise.all(
      teams.map((team) => callUnary(this.client, "listTeamReps", { siteId, teamId: team.id })),
    );
    const order = teams.flatMap((team) => team.memberRepIds);
    const seen = new Set<string>();
    const reps = answers.flatMap((answer) => answer.reps).filter(listable);
    const rank = (repId: string) => (order.includes(repId) ? order.indexOf(repId) : order.length);
    return reps
      .filter((rep) => !seen.has(rep.repId) && seen.add(rep.repId))
      .sort((a, b) => rank(a.repId) - rank(b.repId) || a.repId.localeCompare(b.repId))
      .map((rep) => ({ repId: rep.repId, displayName: rep.repId }));
  }

  close(): void {
    this.client.close();
  }
}
