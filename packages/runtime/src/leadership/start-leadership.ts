import { readFileSync } from "node:fs";
import type { Logger } from "../logging/logger";
import type { RedisClient } from "../redis/connection";
import { startKubernetesLeadership } from "./kubernetes-lease";
import type { Leadership } from "./leadership";
import { startRedisLeadership } from "./redis-leadership";

export interface LeadershipOptions {
  /** Used outside Kubernetes. */
  redis: RedisClient;
  /** The Redis lock's key (outside Kubernetes). */
  key: string;
  /** The Lease's name (in Kubernetes), a DNS subdomain name such as `handoff-acd-leader`. */
  leaseName: string;
  /** The Lease's namespace. @default $POD_NAMESPACE, else the pod's service account namespace, else "default" */
  namespace?: string;
  /** Unique per process. */
  holderId: string;
  /** How soon a dead leader is replaced, roughly; a Lease rounds it up to whole seconds. @default 3000 */
  ttlMs?: number;
  logger: Logger;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

const SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/**
 * One leader among replicas: a Kubernetes Lease when running in a cluster (`KUBERNETES_SERVICE_HOST` is set
 * in every pod), a Redis lock otherwise.
 */
export function startLeadership(options: LeadershipOptions): Leadership {
  const env = options.env ?? process.env;
  const ttlMs = options.ttlMs ?? 3000;
  if (env.KUBERNETES_SERVICE_HOST) {
    const namespace = options.namespace ?? podNamespace(env);
    options.logger.info({ lease: `${namespace}/${options.leaseName}` }, "leader election through a Kubernetes Lease");
    return startKubernetesLeadership({
      leaseName: options.leaseName,
      namespace,
      holderId: options.holderId,
      leaseDurationSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
      logger: options.logger,
    });
  }
  options.logger.info({ lock: options.key }, "leader election through a Redis lock");
  return startRedisLeadership(options.redis, {
    key: options.key,
    holderId: options.holderId,
    ttlMs,
    logger: options.logger,
  });
}

function podNamespace(env: NodeJS.ProcessEnv): string {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, "utf8").trim() || "default";
  } catch {
    return "default";
  }
}
