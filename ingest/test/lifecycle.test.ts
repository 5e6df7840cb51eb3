import { CONSUMER_GROUPS, pipelineKeys } from '@tianwang/core/pipeline';
import { serviceLifecycleContract, type LifecycleSubject } from '@tianwang/core/testing';
import { createIngest } from '../src/index.js';
import type { DeviceLookup } from '../src/device-cache.js';
import { devices, freshPrefix, ingestConfig, lookupOf, useServers } from './helpers.js';

// Redis and influxd of this file alone: every Redis client but the file's own connection is one of the worker's
const s = useServers();

/** An ingest worker on a fresh prefix; `lookup` may refuse the device list (read after Redis and the group are open). */
function ingestSubject(lookup: DeviceLookup = lookupOf(devices(3))): Promise<LifecycleSubject> {
  const prefix = freshPrefix();
  const ingest = createIngest(ingestConfig(s.redisServer.url, prefix, { influxUrl: s.influx.url }), { registry: { devices: lookup } });
  const uplink = pipelineKeys(prefix).uplink;
  return Promise.resolve({
    service: ingest,
    // the consumer group is made before the device list is read and the read loop begins
    ready: async () => {
      const groups = (await s.redis.xinfo('GROUPS', uplink).catch(() => [])) as unknown[][];
      return groups.some((g) => g[1] === CONSUMER_GROUPS.ingest);
    },
    held: async () => ((await s.redis.client('LIST')) as string).trim().split('\n').length - 1,
  });
}

serviceLifecycleContract('ingest', () => ingestSubject(), {
  failing: () =>
    ingestSubject({
      getAuth: () => Promise.resolve(undefined),
      listAuth: () => Promise.reject(new Error('registry unavailable')),
    }),
});
