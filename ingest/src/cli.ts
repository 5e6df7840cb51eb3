/**
 * Operators' look at what ingest refused:
 *   node ingest/dist/cli.js dead-letters [--count N] [--device ID] [--reason R]
 *   node ingest/dist/cli.js invalid-counts
 *   node ingest/dist/cli.js shadow ID
 * Reads TW_REDIS_URL and TW_KEY_PREFIX like the services.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '@tianwang/core/config';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { invalidCounts, listDeadLetters } from './dead-letter.js';
import { shadowFromHash } from './shadow-reader.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { count: { type: 'string', default: '20' }, device: { type: 'string' }, reason: { type: 'string' } },
});
const config = loadConfig();
const keys = pipelineKeys(config.common.keyPrefix);
const redis = new Redis(config.common.redisUrl, { maxRetriesPerRequest: 2 });
try {
  switch (positionals[0]) {
    case 'dead-letters': {
      const list = await listDeadLetters(redis, keys, { count: Number(values.count), ...(values.device ? { deviceId: values.device } : {}), ...(values.reason ? { reason: values.reason } : {}) });
      for (const l of list) {
        process.stdout.write(`${new Date(l.receivedAt).toISOString()}  ${l.deviceId}  ${l.reason}  ${l.message}\n    ${l.topic}  ${JSON.stringify(l.payload.slice(0, 200))}\n`);
      }
      break;
    }
    case 'invalid-counts':
      for (const c of await invalidCounts(redis, keys)) process.stdout.write(`${String(c.count).padStart(10)}  ${c.deviceId}  ${c.reason}\n`);
      break;
    case 'shadow': {
      const id = positionals[1] ?? '';
      process.stdout.write(`${JSON.stringify(shadowFromHash(id, await redis.hgetall(keys.shadow(id))) ?? null, null, 2)}\n`);
      break;
    }
    default:
      process.stderr.write('usage: cli.js dead-letters [--count N] [--device ID] [--reason R] | invalid-counts | shadow ID\n');
      process.exitCode = 2;
  }
} finally {
  redis.disconnect();
}
