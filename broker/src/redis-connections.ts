import type { Logger } from '@tianwang/core/log';
import type { PipelineKeys } from '@tianwang/core/pipeline';
import type { Shutdown } from '@tianwang/core/service';
import { Redis, type RedisOptions } from 'ioredis';

export interface BrokerRedis {
  /** uplink stream writes: fail fast while Redis is away or frozen (the writer buffers and retries itself) */
  writerRedis: Redis;
  /** aedes persistence (sessions, retained, offline queues), under its own key prefix */
  persistRedis: Redis;
  /** the message bus between broker nodes: one connection publishes, one subscribes */
  pubRedis: Redis;
  subRedis: Redis;
}

/** QUIT waits for pending replies; a frozen Redis must not hold the shutdown, so it gets 2 s, then the socket goes. */
function quitWithin(r: Redis, ms: number): Promise<void> {
  return Promise.race([r.quit().catch(() => {}), new Promise((res) => setTimeout(res, ms).unref())]).then(() => r.disconnect());
}

/** Opens the broker's four Redis connections (named tw-broker-* in CLIENT LIST); `shutdown` closes them. */
export async function openRedisConnections(url: string, keys: PipelineKeys, log: Logger, shutdown: Shutdown): Promise<BrokerRedis> {
  const open = (name: string, extra: RedisOptions = {}) => {
    const r = new Redis(url, { lazyConnect: true, connectionName: `tw-broker-${name}`, ...extra });
    r.on('error', (err: Error) => log.debug({ err, connection: name }, 'redis connection error'));
    return r;
  };
  const conns: BrokerRedis = {
    writerRedis: open('uplink', { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 5000 }),
    persistRedis: open('persistence', { keyPrefix: keys.mqttPersistence }),
    pubRedis: open('bus-pub'),
    subRedis: open('bus-sub'),
  };
  const all = Object.values(conns);
  shutdown.add('redis', () => Promise.all(all.map((r) => quitWithin(r, 2000))));
  await Promise.all(all.map((r) => r.connect()));
  return conns;
}
