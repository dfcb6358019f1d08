import type { AcdPort } from "./routing-client/acd-client";
import type { CapacityPusher } from "./routing-client/capacity-pusher";
import { TeamMembershipError } from "./domain/errors";
import { presenceMetrics } from "./events/presence-metrics";
import type { RepSnapshot, RepStateName } from "./domain/rep-state";
import type { PresenceStore } from "./store/presence-store";

/**
 * Every change to a rep: the store records it (one Redis function, with its event), then the new
 * version is pushed to the acd at once.
 */
export class PresenceCommands {
  constructor(
    private readonly store: PresenceStore,
    private readonly pusher: CapacityPusher,
    private readonly acd: AcdPort,
    /** A connection lives this long past its last heartbeat (interval × tolerance). */
    readonly connectionTtlMs: number,
  ) {}

  private async pushed<T extends RepSnapshot>(site: string, rep: T): Promise<T> {
    await this.pusher.push(site, rep);
    return rep;
  }

  /** His teams come from the routing config: a team he is not a member of is refused. */
  async login(site: string, repId: string, teamIds: readonly string[], connectionId: string) {
    const config = await this.acd.routingConfig(site);
    for (const teamId of teamIds) {
      const team = config?.teams.find((t) => t.id === teamId);
      if (!team?.memberRepIds.includes(repId)) throw new TeamMembershipError(repId, teamId, team !== undefined);
    }
    return this.pushed(site, await this.store.login(site, repId, teamIds, connectionId, this.connectionTtlMs));
  }

  async logout(site: string, repId: string, actor: string, actorId: string) {
    return this.pushed(site, await this.store.logout(site, repId, actor, actorId));
  }

  async setState(site: string, repId: string, state: RepStateName, reason: string, actor: string, actorId: string) {
    const rep = await this.store.setState(site, repId, state, reason, actor, actorId);
    return rep.changed ? this.pushed(site, rep) : rep;
  }

  async setCapacity(site: string, repId: string, capacity: number, skills: readonly string[]) {
    const { maxCapacity } = await this.store.settings(site);
    return this.pushed(site, await this.store.setCapacity(site, repId, capacity, skills, maxCapacity));
  }

  /** Returns the connection's next deadline; the push happens only when he was not connected before. */
  async heartbeat(site: string, repId: string, connectionId: string): Promise<number> {
    const rep = await this.store.heartbeat(site, repId, connectionId, this.connectionTtlMs);
    presenceMetrics.heartbeats.add(1);
    if (rep.connectedNow) await this.pusher.push(site, rep);
    return rep.extra;
  }

  async disconnect(site: string, repId: string, connectionId: string) {
    return this.pushed(site, await this.store.disconnect(site, repId, connectionId));
  }

  async offerExpired(site: string, repId: string) {
    const { keepStateOnNotResponding } = await this.store.settings(site);
    return this.pushed(site, await this.store.offerExpired(site, repId, keepStateOnNotResponding));
  }
}
