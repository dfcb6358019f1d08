import type { Logger } from "../logging/logger";
import { runElection } from "./election";
import type { Leadership } from "./leadership";

export interface KubernetesLeadershipOptions {
  /** A DNS subdomain name, e.g. `handoff-acd-leader`. */
  leaseName: string;
  namespace: string;
  /** Unique per process (pod name plus pid, say). */
  holderId: string;
  /** A dead leader is replaced within about this; renewals run every third of it. @default 3 */
  leaseDurationSeconds?: number;
  logger: Logger;
}

/** The fields of a coordination.k8s.io/v1 Lease this code reads and writes. */
export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: Date;
    renewTime?: Date;
    leaseTransitions?: number;
  };
}

/** The calls of `CoordinationV1Api` (@kubernetes/client-node 1.x, object parameters) used here. */
export interface LeaseApi {
  readNamespacedLease(param: { name: string; namespace: string }): Promise<Lease>;
  createNamespacedLease(param: { namespace: string; body: Lease }): Promise<Lease>;
  replaceNamespacedLease(param: { name: string; namespace: string; body: Lease }): Promise<Lease>;
}

export interface LeaseClient {
  api: LeaseApi;
  /** A Lease's MicroTime; client-node's `V1MicroTime` serializes the microsecond form the API server wants. */
  microTime: (ms: number) => Date;
}

/**
 * Kept out of a literal `import()` so the runtime builds, and runs outside Kubernetes, without the package;
 * it is ESM-only, which CommonJS reaches through a dynamic import.
 */
const CLIENT_MODULE = "@kubernetes/client-node";

interface KubernetesClientModule {
  KubeConfig: new () => { loadFromDefault(): void; makeApiClient<T>(api: new (...args: never[]) => T): T };
  CoordinationV1Api: new (...args: never[]) => LeaseApi;
  V1MicroTime: new (ms: number) => Date;
}

/** In a pod, `loadFromDefault` uses the service account token; elsewhere `$KUBECONFIG` or `~/.kube/config`. */
async function connectFromDefaultConfig(): Promise<LeaseClient> {
  const k8s = (await import(CLIENT_MODULE)) as KubernetesClientModule;
  const config = new k8s.KubeConfig();
  config.loadFromDefault();
  return { api: config.makeApiClient(k8s.CoordinationV1Api), microTime: (ms) => new k8s.V1MicroTime(ms) };
}

/**
 * Competes for a coordination.k8s.io/v1 Lease, the way client-go's leader election does: read the Lease;
 * take it when it has no holder or its `renewTime + leaseDurationSeconds` has passed; renew it while held.
 * Every write carries the `resourceVersion` that was read, so of two replicas writing at once the API server
 * accepts one and answers the other 409 Conflict.
 */
export function startKubernetesLeadership(options: KubernetesLeadershipOptions): Leadership {
  return startLeaseLeadership(connectFromDefaultConfig, options);
}

/**
 * The election itself, over any Lease client. Expiry compares the holder's `renewTime` with this replica's
 * clock, so it relies on node clocks being in sync (NTP, as in any cluster); the leader steps down a third
 * of the lease duration before followers may take over, which absorbs that much skew.
 */
export function startLeaseLeadership(
  connect: () => Promise<LeaseClient>,
  options: KubernetesLeadershipOptions,
): Leadership {
  const { leaseName: name, namespace, holderId, logger } = options;
  const durationSeconds = options.leaseDurationSeconds ?? 3;
  if (!Number.isInteger(durationSeconds) || durationSeconds < 1) {
    throw new RangeError(`leaseDurationSeconds must be a whole number of seconds ≥ 1, got ${durationSeconds}`);
  }
  const durationMs = durationSeconds * 1000;
  const retryEveryMs = Math.floor(durationMs / 3);
  const validForMs = durationMs - retryEveryMs;
  let client: Promise<LeaseClient> | undefined;

  const connected = (): Promise<LeaseClient> => {
    client ??= connect().catch((error: unknown) => {
      client = undefined;
      logger.error({ err: error, module: CLIENT_MODULE }, "cannot reach the Kubernetes API for the leader lease");
      throw error;
    });
    return client;
  };

  const read = async (api: LeaseApi): Promise<Lease | undefined> => {
    try {
      return await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  };

  const acquireOrRenew = async (): Promise<boolean> => {
    const { api, microTime } = await connected();
    const current = await read(api);
    const spec = current?.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const now = Date.now();
    if (holder !== "" && holder !== holderId) {
      const renewedAt = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
      const heldForMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (now <= renewedAt + heldForMs) return false;
      logger.info({ lease: `${namespace}/${name}`, previousHolder: holder }, "taking over an expired leader lease");
    }
    const taking = holder !== holderId;
    const body: Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace, resourceVersion: current?.metadata?.resourceVersion },
      spec: {
        holderIdentity: holderId,
        leaseDurationSeconds: durationSeconds,
        acquireTime: taking || !spec.acquireTime ? microTime(now) : microTime(new Date(spec.acquireTime).getTime()),
        renewTime: microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (taking && holder !== "" ? 1 : 0),
      },
    };
    try {
      if (current) await api.replaceNamespacedLease({ name, namespace, body });
      else await api.createNamespacedLease({ namespace, body });
      return true;
    } catch (error) {
      if (httpStatus(error) === 409) return false;
      throw error;
    }
  };

  const release = async () => {
    const { api, microTime } = await connected();
    const current = await read(api);
    if (current?.spec?.holderIdentity !== holderId) return;
    const now = Date.now();
    await api.replaceNamespacedLease({
      name,
      namespace,
      body: {
        ...current,
        spec: { ...current.spec, holderIdentity: "", renewTime: microTime(now), acquireTime: microTime(now) },
      },
    });
  };

  return runElection({
    noun: "lease",
    context: { lease: `${namespace}/${name}`, holderId },
    logger,
    acquireOrRenew: () => acquireOrRenew(),
    release,
    onRoundError: (error) =>
      logger.warn({ err: error, lease: `${namespace}/${name}` }, "could not acquire or renew the leader lease"),
    validForMs,
    roundEveryMs: retryEveryMs,
    stopBoundMs: durationMs,
  });
}

/** client-node 1.x throws `ApiException` with the HTTP status in `code`. */
function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}
