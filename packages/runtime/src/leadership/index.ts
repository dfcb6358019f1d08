export { startKubernetesLeadership, type KubernetesLeadershipOptions } from "./kubernetes-lease";
export type { Leadership } from "./leadership";
export { startRedisLeadership, type RedisLeadershipOptions } from "./redis-leadership";
export { startLeadership, type LeadershipOptions } from "./start-leadership";
export { runLeaderDuties, type LeaderDuty } from "./leader-duties";
