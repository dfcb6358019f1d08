import { randomUUID } from "node:crypto";
import { checkGrpcHealth } from "@handoff/runtime";
import { countWarnings } from "../log-warnings";
import { startService, type ServiceProcess } from "../service-process";
import { TcpBalancer } from "../tcp-balancer";
import { testIssuer, type TestIssuer } from "../test-issuer";

/** The five services, in the order they start (each after what it calls). */
export const SYSTEM_SERVICES = ["acd", "presence", "session-broker", "reporting", "intake"] as const;
export type SystemService = (typeof SYSTEM_SERVICES)[number];

/** A start waits this long: ten services, Kafka and PostgreSQL share two loaded cores, and brokers join groups. */
const START_TIMEOUT_MS = 120_000;

export interface SystemInfrastructure {
  /** A single Redis; ignored when REDIS_CLUSTER_NODES is set. */
  REDIS_URL: string;
  /** A Redis Cluster's seed nodes (host:port,...): every service's Redis when set. */
  REDIS_CLUSTER_NODES?: string;
  KAFKA_BROKERS: string;
  DATABASE_URL: string;
}

export interface SystemStackOptions {
  /** Replicas of every service. @default 2 */
  replicas?: number;
  /** Run the services with OpenTelemetry on, as deployed. @default false */
  otel?: boolean;
  /** Extra settings per service. */
  env?: Partial<Record<SystemService, Record<string, string>>>;
  log?: (line: string) => void;
}

/** One running replica: its process and the ports it keeps across restarts. */
export interface Replica {
  service: SystemService;
  index: number;
  process: ServiceProcess;
  /** Starts since the stack began (1 for the first process). */
  starts: number;
}

const HTTP_SERVICES: ReadonlySet<SystemService> = new Set(["session-broker", "reporting", "intake"]);

/**
 * The whole system on one machine as Kubernetes would run it: every service as `replicas` child
 * processes on the given Redis, Kafka and PostgreSQL, each service behind a loopback TCP balancer (as
 * behind a Kubernetes Service: new connections go round the replicas, skipping a dead one), peers
 * dialling each other through those balancers. Tokens come from test issuers the services trust
 * (agent, supervisor, admin), so every request is authenticated as in production.
 *
 * Replicas can be killed, stopped and started again on the same ports, as a pod restarts behind its
 * Service; `waitReady` is the readiness a Kubernetes probe would see.
 */
export class SystemStack {
  private readonly replicaList: Replica[] = [];
  private readonly grpcBalancers = new Map<SystemService, TcpBalancer>();
  private readonly httpBalancers = new Map<SystemService, TcpBalancer>();
  private readonly envs = new Map<SystemService, Record<string, string>>();

  private constructor(
    readonly infrastructure: SystemInfrastructure,
    readonly agentIssuer: TestIssuer,
    readonly supervisorIssuer: TestIssuer,
    readonly adminIssuer: TestIssuer,
    private readonly options: SystemStackOptions,
  ) {}

  static async start(infrastructure: SystemInfrastructure, options: SystemStackOptions = {}): Promise<SystemStack> {
    const [agent, supervisor, admin] = await Promise.all([
      testIssuer("AGENT"),
      testIssuer("SUPERVISOR"),
      testIssuer("ADMIN"),
    ]);
    const stack = new SystemStack(infrastructure, agent, supervisor, admin, options);
    try {
      await stack.startAll(options.replicas ?? 2);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private serviceEnv(service: SystemService): Record<string, string> {
    const { KAFKA_BROKERS, DATABASE_URL, REDIS_CLUSTER_NODES } = this.infrastructure;
    const redis: Record<string, string> = REDIS_CLUSTER_NODES
      ? { REDIS_CLUSTER_NODES }
      : { REDIS_URL: this.infrastructure.REDIS_URL };
    const grpc = (peer: SystemService) => `127.0.0.1:${this.grpcBalancers.get(peer)!.port}`;
    const runId = randomUUID().slice(0, 8);
    const common = { KAFKA_BROKERS, ...(this.options.otel ? {} : { OTEL_SDK_DISABLED: "true" }) };
    const own: Record<SystemService, () => Record<string, string>> = {
      acd: () => ({ ...redis }),
      presence: () => ({ ...redis, ACD_ADDRESS: grpc("acd") }),
      "session-broker": () => ({
        ...redis,
        DATABASE_URL,
        ACD_ADDRESS: grpc("acd"),
        PRESENCE_ADDRESS: grpc("presence"),
        KAFKA_CONSUMER_GROUP: `system-broker-${runId}`,
        // Every simulated rep and customer comes from 127.0.0.1: the per-address limit is not under test.
        HTTP_RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
        AGENT_RATE_LIMIT_PER_MINUTE: "60000",
        ...this.agentIssuer.env,
      }),
      reporting: () => ({
        DATABASE_URL,
        KAFKA_CONSUMER_GROUP: `system-reporting-${runId}`,
        SUPERVISOR_RATE_LIMIT_PER_MINUTE: "60000",
        ...this.supervisorIssuer.env,
      }),
      intake: () => ({
        ...redis,
        DATABASE_URL,
        SESSION_BROKER_ADDRESS: grpc("session-broker"),
        ACD_ADDRESS: grpc("acd"),
        PRESENCE_ADDRESS: grpc("presence"),
        KAFKA_CONSUMER_GROUP: `system-intake-${runId}`,
        REDIS_KEY_PREFIX: `system-intake-${runId}`,
        ADMIN_HTTP_PORT: "0",
        RATE_LIMIT_PER_MINUTE: "1000000",
        SITE_RATE_LIMIT_PER_MINUTE: "10000000",
        ...this.adminIssuer.env,
      }),
    };
    return { ...common, ...own[service](), GRPC_HEALTH_PORT: "0", ...this.options.env?.[service] };
  }

  /**
   * Starts the first replica of each service in dependency order (one migrates its database alone),
   * then the others side by side. Each service's balancer listens before its first replica starts, so
   * its callers have an address to dial.
   */
  private async startAll(replicas: number): Promise<void> {
    for (const service of SYSTEM_SERVICES) {
      this.grpcBalancers.set(service, await TcpBalancer.start([]));
      if (HTTP_SERVICES.has(service)) this.httpBalancers.set(service, await TcpBalancer.start([]));
    }
    for (const service of SYSTEM_SERVICES) {
      this.envs.set(service, this.serviceEnv(service));
      await this.launch(service, 0);
    }
    for (let index = 1; index < replicas; index++)
      await Promise.all(SYSTEM_SERVICES.map((service) => this.launch(service, index)));
    await Promise.all(this.replicaList.map((replica) => this.waitReady(replica.service, replica.index)));
  }

  private async launch(service: SystemService, index: number): Promise<Replica> {
    const started = performance.now();
    let process: ServiceProcess;
    try {
      process = await startService(service, this.envs.get(service)!, START_TIMEOUT_MS);
    } catch (error) {
      // Once more, as Kubernetes restarts a container that exited: on a Kafka just started, a topic
      // another service created a moment before may not be served yet ("does not host this topic-partition").
      this.log(`${service}[${index}] exited before listening; started again: ${String(error).slice(0, 300)}`);
      process = await startService(service, this.envs.get(service)!, START_TIMEOUT_MS);
    }
    const replica: Replica = { service, index, process, starts: 1 };
    this.replicaList.push(replica);
    this.grpcBalancers.get(service)!.addBackend(process.grpcPort);
    if (process.httpPort !== undefined) this.httpBalancers.get(service)?.addBackend(process.httpPort);
    this.log(
      `${service}[${index}] pid ${process.child.pid} listening in ${Math.round(performance.now() - started)} ms`,
    );
    return replica;
  }

  /** Every replica now running, in start order. */
  get replicas(): readonly Replica[] {
    return this.replicaList;
  }

  replica(service: SystemService, index: number): Replica {
    const found = this.replicaList.find((r) => r.service === service && r.index === index);
    if (!found) throw new Error(`no replica ${service}[${index}]`);
    return found;
  }

  /** The replica whose process has `pid`, if any. */
  replicaByPid(pid: number): Replica | undefined {
    return this.replicaList.find((r) => r.process.child.pid === pid);
  }

  /** The public HTTP address of a service's balancer (intake's portal, the broker's agent API, reporting's). */
  httpUrl(service: "intake" | "session-broker" | "reporting"): string {
    return this.httpBalancers.get(service)!.url;
  }

  /** The gRPC address (host:port) of a service's balancer. */
  grpcAddress(service: SystemService): string {
    return `127.0.0.1:${this.grpcBalancers.get(service)!.port}`;
  }

  /** The admin HTTP address of intake replica `index` (kept off the public port, as deployed). */
  intakeAdminUrl(index = 0): string {
    const listening = this.replica("intake", index).process.output.find((line) => line.includes('"adminHttpPort"'));
    const { adminHttpPort } = JSON.parse(listening ?? "{}") as { adminHttpPort?: number };
    if (!adminHttpPort) throw new Error("intake did not report its admin port");
    return `http://127.0.0.1:${adminHttpPort}`;
  }

  /** Whether a replica is ready as Kubernetes' probes see it: gRPC health SERVING, and /readyz 200 where served. */
  isReady(service: SystemService, index: number): Promise<boolean> {
    return this.processReady(this.replica(service, index).process);
  }

  private async processReady(process: ServiceProcess): Promise<boolean> {
    if (process.child.exitCode !== null || process.child.signalCode !== null) return false;
    try {
      const health = await checkGrpcHealth(`127.0.0.1:${process.grpcHealthPort}`, { deadlineMs: 1_000 });
      if (health !== "SERVING") return false;
      if (process.httpPort === undefined) return true;
      const response = await fetch(`http://127.0.0.1:${process.httpPort}/readyz`, {
        signal: AbortSignal.timeout(2_000),
      });
      return response.ok;
    } catch {
      return false;
    }
  }

  /**
   * Resolves with the ms it took for the replica to be ready, or rejects after `timeoutMs` (or when its
   * process exited) with what it last said.
   */
  waitReady(service: SystemService, index: number, timeoutMs = START_TIMEOUT_MS): Promise<number> {
    return this.waitProcessReady(`${service}[${index}]`, this.replica(service, index).process, timeoutMs);
  }

  private async waitProcessReady(name: string, process: ServiceProcess, timeoutMs: number): Promise<number> {
    const started = performance.now();
    const { child } = process;
    while (performance.now() - started < timeoutMs && child.exitCode === null && child.signalCode === null) {
      if (await this.processReady(process)) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    let readyz = "";
    if (process.httpPort !== undefined && child.exitCode === null) {
      readyz = await fetch(`http://127.0.0.1:${process.httpPort}/readyz`, { signal: AbortSignal.timeout(2_000) })
        .then(async (r) => `; /readyz ${r.status} ${await r.text()}`)
        .catch((error: unknown) => `; /readyz ${String(error)}`);
    }
    const state =
      child.exitCode !== null || child.signalCode !== null
        ? `exited (${child.exitCode ?? child.signalCode})`
        : "not ready";
    throw new Error(
      `${name} ${state} after ${Math.round(performance.now() - started)} ms${readyz}; last lines:\n` +
        process.output.slice(-15).join("\n"),
    );
  }

  /**
   * Starts again every replica whose process ended by itself (as Kubernetes restarts a container that
   * exited) and waits until each is ready; returns what each had exited with.
   */
  async restartExited(): Promise<string[]> {
    const exited = this.replicaList.filter(
      (r) => r.process.child.exitCode !== null || r.process.child.signalCode !== null,
    );
    const reports: string[] = [];
    for (const replica of exited) {
      const { child, output } = replica.process;
      const last =
        output.filter((line) => line.includes('"level":50') || line.includes('"level":60')).slice(-1)[0] ?? "";
      reports.push(
        `${replica.service}[${replica.index}] had exited (${child.exitCode ?? child.signalCode}) ${last.slice(0, 300)}`,
      );
      await this.startReplica(replica.service, replica.index);
      await this.waitReady(replica.service, replica.index);
    }
    return reports;
  }

  /** Ends a replica's process with `signal` (SIGKILL: a crash; SIGTERM: a graceful drain); resolves on its exit. */
  async stopReplica(
    service: SystemService,
    index: number,
    signal: NodeJS.Signals = "SIGTERM",
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const replica = this.replica(service, index);
    this.log(`${service}[${index}] pid ${replica.process.child.pid} ← ${signal}`);
    return replica.process.stop(signal);
  }

  /** Starts a stopped replica again with the same settings on the same ports, as its pod would come back. */
  async startReplica(service: SystemService, index: number): Promise<void> {
    const replica = this.replica(service, index);
    const old = replica.process;
    const ports: Record<string, string> = {
      GRPC_PORT: String(old.grpcPort),
      GRPC_HEALTH_PORT: String(old.grpcHealthPort),
    };
    if (old.httpPort !== undefined) ports.HTTP_PORT = String(old.httpPort);
    if (service === "intake") ports.ADMIN_HTTP_PORT = new URL(this.intakeAdminUrl(index)).port;
    replica.process = await startService(service, { ...this.envs.get(service)!, ...ports }, START_TIMEOUT_MS);
    replica.starts++;
    this.log(`${service}[${index}] pid ${replica.process.child.pid} started again`);
  }

  /** Stops a replica with `signal`, starts it again and waits until it is ready: the ms each step took. */
  async restartReplica(
    service: SystemService,
    index: number,
    signal: NodeJS.Signals,
  ): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; stopMs: number; readyMs: number }> {
    const exit = await this.stopReplica(service, index, signal);
    const started = performance.now();
    await this.startReplica(service, index);
    await this.waitReady(service, index);
    return { exit: { code: exit.code, signal: exit.signal }, stopMs: exit.ms, readyMs: performance.now() - started };
  }

  /**
   * Replaces a replica as the chart's rollout does (`maxSurge: 1`, `maxUnavailable: 0`): a new process
   * on new ports starts beside it and joins its balancer; once that one is ready the old one leaves the
   * balancer (a terminating pod leaves its Service's endpoints) and gets SIGTERM. The new process then
   * holds the replica's index. The ms each step took, as `restartReplica`'s.
   */
  async surgeReplica(
    service: SystemService,
    index: number,
  ): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; stopMs: number; readyMs: number }> {
    const old = this.replica(service, index);
    const started = performance.now();
    const process = await startService(service, this.envs.get(service)!, START_TIMEOUT_MS);
    this.grpcBalancers.get(service)!.addBackend(process.grpcPort);
    if (process.httpPort !== undefined) this.httpBalancers.get(service)?.addBackend(process.httpPort);
    await this.waitProcessReady(`${service}[${index}] (its successor)`, process, START_TIMEOUT_MS);
    const readyMs = performance.now() - started;
    this.grpcBalancers.get(service)!.removeBackend(old.process.grpcPort);
    if (old.process.httpPort !== undefined) this.httpBalancers.get(service)?.removeBackend(old.process.httpPort);
    this.log(`${service}[${index}] pid ${process.child.pid} ready beside pid ${old.process.child.pid} ← SIGTERM`);
    const exit = await old.process.stop("SIGTERM");
    this.replicaList[this.replicaList.indexOf(old)] = { service, index, process, starts: old.starts + 1 };
    return { exit: { code: exit.code, signal: exit.signal }, stopMs: exit.ms, readyMs };
  }

  /** Pids of every running replica, named `service[index]` (for CPU and memory lines). */
  pids(): Record<string, number> {
    return Object.fromEntries(this.replicaList.map((r) => [`${r.service}[${r.index}]`, r.process.child.pid!]));
  }

  /** Warning and error lines (pino level ≥ 40) of every replica so far, counted by service and message. */
  warnings(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const replica of this.replicaList) countWarnings(replica.process.output, counts, `${replica.service}: `);
    return counts;
  }

  async stop(): Promise<void> {
    for (const service of [...SYSTEM_SERVICES].reverse()) {
      await Promise.all(this.replicaList.filter((r) => r.service === service).map((r) => r.process.stop("SIGTERM")));
    }
    for (const balancer of [...this.grpcBalancers.values(), ...this.httpBalancers.values()]) await balancer.stop();
  }
}
