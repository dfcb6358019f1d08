import { randomUUID } from "node:crypto";
import type { Team } from "@handoff/proto/acd_service";
import { Actor, RepState } from "@handoff/proto/common";
import { SessionBrokerServiceClient } from "@handoff/proto/session_broker_service";
import { infrastructureEnv } from "./infrastructure-env";
import { SESSION_BROKER_CALLERS } from "@handoff/runtime";
import { promiseClient, type PromiseClient, type TestCaller } from "./promise-client";
import { connectAcd, connectPresence, type Acd, type Presence } from "./service-clients";
import { startService, type ServiceProcess } from "./service-process";
import { newSiteId } from "./site-fixtures";

export type SessionBroker = PromiseClient<SessionBrokerServiceClient>;
/** A broker client calling each method as the service allowed to (or as `caller` for every call). */
export const connectSessionBroker = (address: string, caller: TestCaller = SESSION_BROKER_CALLERS): SessionBroker =>
  promiseClient(SessionBrokerServiceClient, address, caller);

/** A start waits this long: CI runs several stacks at once on two cores, and a broker joins Kafka groups. */
const START_TIMEOUT_MS = 60_000;

export interface BrokerReplica {
  process: ServiceProcess;
  client: SessionBroker;
}

export interface SessionStackOptions {
  /** Broker replicas. @default 1 */
  brokers?: number;
  /** Extra settings for every broker replica. */
  brokerEnv?: Record<string, string>;
  presenceEnv?: Record<string, string>;
  /** Extra settings for the acd. */
  acdEnv?: Record<string, string>;
}

/**
 * A real acd, presence and one or more session-broker replicas (child processes) on the test
 * infrastructure, with helpers to set up a site and bring reps online.
 */
export class SessionStack {
  private readonly heartbeats = new Map<string, NodeJS.Timeout>();

  private constructor(
    public acdProcess: ServiceProcess,
    public acd: Acd,
    readonly presenceProcess: ServiceProcess,
    readonly presence: Presence,
    readonly brokers: BrokerReplica[],
    private readonly acdEnv: Record<string, string>,
    readonly brokerEnv: Record<string, string>,
  ) {}

  static async start(options: SessionStackOptions = {}): Promise<SessionStack> {
    const { REDIS_URL, KAFKA_BROKERS, DATABASE_URL } = infrastructureEnv();
    const acdEnv = { REDIS_URL, KAFKA_BROKERS, ...options.acdEnv };
    const acdProcess = await startService("acd", acdEnv, START_TIMEOUT_MS);
    const acdAddress = `127.0.0.1:${acdProcess.grpcPort}`;
    const presenceProcess = await startService(
      "presence",
      {
        REDIS_URL,
        KAFKA_BROKERS,
        ACD_ADDRESS: acdAddress,
        ...options.presenceEnv,
      },
      START_TIMEOUT_MS,
    );
    const brokerEnv = {
      REDIS_URL,
      KAFKA_BROKERS,
      DATABASE_URL,
      ACD_ADDRESS: acdAddress,
      PRESENCE_ADDRESS: `127.0.0.1:${presenceProcess.grpcPort}`,
      // A deployment of its own: stacks of concurrent test files never rebalance each other's groups.
      KAFKA_CONSUMER_GROUP: `session-broker-${randomUUID().slice(0, 8)}`,
      ...options.brokerEnv,
    };
    const brokers: BrokerReplica[] = [];
    for (let i = 0; i < (options.brokers ?? 1); i++) {
      const process = await startService("session-broker", brokerEnv, START_TIMEOUT_MS);
      brokers.push({ process, client: connectSessionBroker(`127.0.0.1:${process.grpcPort}`) });
    }
    return new SessionStack(
      acdProcess,
      connectAcd(acdAddress),
      presenceProcess,
      connectPresence(`127.0.0.1:${presenceProcess.grpcPort}`),
      brokers,
      acdEnv,
      brokerEnv,
    );
  }

  /** The first broker replica's client. */
  get broker(): SessionBroker {
    return this.brokers[0]!.client;
  }

  /** Starts one more broker replica with the stack's settings (plus `env`). */
  async addBroker(env: Record<string, string> = {}): Promise<BrokerReplica> {
    const process = await startService("session-broker", { ...this.brokerEnv, ...env }, START_TIMEOUT_MS);
    const replica = { process, client: connectSessionBroker(`127.0.0.1:${process.grpcPort}`) };
    this.brokers.push(replica);
    return replica;
  }

  /** Stops broker replica `index` with `signal` (e.g. SIGKILL) and removes it from the stack. */
  async stopBroker(index: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const [replica] = this.brokers.splice(index, 1);
    if (!replica) return;
    replica.client.close();
    await replica.process.stop(signal);
  }

  /** Stops the acd (e.g. to prove sessions wait in PostgreSQL) and starts it again on the same port. */
  async stopAcd(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.acdProcess.stop(signal);
  }

  async restartAcd(): Promise<void> {
    this.acdProcess = await startService(
      "acd",
      { ...this.acdEnv, GRPC_PORT: String(this.acdProcess.grpcPort) },
      START_TIMEOUT_MS,
    );
  }

  /** Gives a new site a routing config with these teams and returns its id. */
  async site(teams: Team[], siteId = newSiteId()): Promise<string> {
    await this.acd.putRoutingConfig({ siteId, config: { version: 0, problemTypes: [], teams } });
    return siteId;
  }

  /**
   * Logs a rep in to his teams with a live connection (heartbeating every 2 s like a desktop, until
   * `repConnectionLost` or `stop`), sets his capacity and makes him available.
   */
  async repOnline(siteId: string, repId: string, teamIds: string[], capacity = 1): Promise<string> {
    const connectionId = `${repId}-${randomUUID().slice(0, 8)}`;
    const beat = setInterval(() => {
      this.presence.heartbeat({ siteId, repId, connectionId }).catch(() => undefined);
    }, 2_000);
    this.heartbeats.set(`${siteId}/${repId}`, beat);
    await this.presence.login({ siteId, repId, teamIds, connectionId });
    await this.presence.setCapacity({ siteId, repId, capacity, skills: [] });
    await this.presence.setState({
      siteId,
      repId,
      state: RepState.REP_STATE_AVAILABLE,
      reasonCode: "",
      actor: Actor.ACTOR_REP,
      actorId: repId,
    });
    return connectionId;
  }

  /** Sets a rep's state as he would from his desktop (no reason). */
  async repState(siteId: string, repId: string, state: RepState): Promise<void> {
    await this.presence.setState({ siteId, repId, state, reasonCode: "", actor: Actor.ACTOR_REP, actorId: repId });
  }

  /** Stops a rep's heartbeats, as when his desktop loses the network. */
  repConnectionLost(siteId: string, repId: string): void {
    clearInterval(this.heartbeats.get(`${siteId}/${repId}`));
    this.heartbeats.delete(`${siteId}/${repId}`);
  }

  async stop(): Promise<void> {
    for (const beat of this.heartbeats.values()) clearInterval(beat);
    this.heartbeats.clear();
    for (const replica of this.brokers) replica.client.close();
    await Promise.all(this.brokers.map((replica) => replica.process.stop()));
    this.presence.close();
    this.acd.close();
    await this.presenceProcess.stop();
    await this.acdProcess.stop();
  }
}

/**
 * A new site whose problem type `general` goes to the first of `teams`; every team's members may log
 * in. Returns the site id.
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
