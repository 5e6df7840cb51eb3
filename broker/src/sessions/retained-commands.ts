import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';

interface RetainedPacket {
  topic: string;
  payload: Buffer | string;
}

/** The part of aedes-persistence-redis (its callback wrapper, as aedes 1.x calls it) that this changes. */
export interface RetainedPersistence {
  storeRetained(packet: RetainedPacket): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

/** `tw/v1/<kind>/<device>/cmd/+`, the filter every device subscribes to (core/topics commandFilter) */
const COMMAND_FILTER = /^(tw\/v1\/[^/+#]+\/[^/+#]+)\/cmd\/\+$/;
/** a command topic, `tw/v1/<kind>/<device>/cmd/<name>`: its device part */
const COMMAND_TOPIC = /^(tw\/v1\/[^/+#]+\/[^/+#]+)\/cmd\/[^/+#]+$/;
/** the hash where aedes-persistence-redis keeps retained messages by topic (under the connection's key prefix) */
const RETAINED_HASH = 'retained';

const indexKey = (device: string) => `retained-cmd:${device}`;
const hasWildcard = (p: string) => p.includes('+') || p.includes('#');

/**
 * Retained commands per device, indexed, so that a device's SUBSCRIBE does not scan every retained message.
 *
 * aedes-persistence-redis answers a filter with a wildcard by HSCAN of the whole `retained` hash, ten fields per
 * call; every device retains its status (its will), so each device subscribing to `…/cmd/+` cost ~N/10 round trips
 * for N devices: 500 per subscription at 5,000 terminals, and the 2,500 terminals of a killed broker node took 25 s to
 * get back in through the other (their deadlines passed: silence alarms, the soak of 2026-12-03). At a city's 300,000
 * terminals each subscription would read the whole hash.
 *
 * Here a set per device (`retained-cmd:<kind>/<device>`, beside the hash under the same prefix) lists its retained
 * command topics: kept by storeRetained (added with the message, removed when an empty retained payload deletes it),
 * built once from the hash at start (retained commands stored before it existed, or by a broker without it). A
 * SUBSCRIBE of command filters and exact topics then reads that set and the exact topics (one HGET each); any other
 * wildcard goes to the library as before. A retained command stored at the same moment as a device subscribes may
 * or may not reach it, as with the library.
 */
export async function indexRetainedCommands(persistence: RetainedPersistence, redis: Redis): Promise<void> {
  const store = persistence.storeRetained.bind(persistence);
  const combi = persistence.createRetainedStreamCombi.bind(persistence);

  persistence.storeRetained = async (packet) => {
    await store(packet);
    const device = COMMAND_TOPIC.exec(packet.topic)?.[1];
    if (!device) return;
    if (packet.payload.length === 0) await redis.srem(indexKey(device), packet.topic);
    else await redis.sadd(indexKey(device), packet.topic);
  };

  persistence.createRetainedStreamCombi = (patterns) => {
    const devices = patterns.map((p) => COMMAND_FILTER.exec(p)?.[1]);
    if (patterns.some((p, i) => hasWildcard(p) && !devices[i])) return combi(patterns);
    async function* retained(): AsyncGenerator<unknown> {
      const exact = patterns.filter((p) => !hasWildcard(p));
      for (const d of devices) if (d) exact.push(...(await redis.smembers(indexKey(d))));
      if (!exact.length) return;
      // the library answers exact topics with one lookup each, and sends a topic once however often it is listed
      for await (const packet of combi([...new Set(exact)])) yield packet;
    }
    return Readable.from(retained());
  };

  await buildIndex(redis);
}

async function buildIndex(redis: Redis): Promise<void> {
  let cursor = '0';
  do {
    const [next, fields] = await redis.hscan(RETAINED_HASH, cursor, 'MATCH', 'tw/v1/*/cmd/*', 'COUNT', 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (let i = 0; i < fields.length; i += 2) {
      const device = COMMAND_TOPIC.exec(fields[i]!)?.[1];
      if (device) pipe.sadd(indexKey(device), fields[i]!);
    }
    if (pipe.length) await pipe.exec();
  } while (cursor !== '0');
}
