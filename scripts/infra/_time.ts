import { startRedis } from './redis.ts';
import { startRedisCluster } from './redis-cluster.ts';
import { startPostgres } from './postgres.ts';
import { startKafka } from './kafka.ts';
import { startInfrastructure } from './index.ts';
const parts: Record<string, () => Promise<{ stop: () => Promise<void> }>> = {
  redis: startRedis, 'redis-cluster': () => startRedisCluster(), postgres: startPostgres, kafka: () => startKafka(),
  'kafka (JVM defaults)': () => startKafka({ jvmFlags: ['-Xms256m', '-Xmx512m'] }),
  'all (parallel, + cluster)': () => startInfrastructure({ redisCluster: true, env: {} }),
};
for (const [name, start] of Object.entries(parts)) {
  const ups: number[] = [], downs: number[] = [];
  for (let i = 0; i < 3; i++) {
    let t = performance.now(); const s = await start(); ups.push(Math.round(performance.now() - t));
    t = performance.now(); await s.stop(); downs.push(Math.round(performance.now() - t));
  }
  console.log(`${name.padEnd(26)} start ${ups.join(' / ')} ms   stop ${downs.join(' / ')} ms`);
}
