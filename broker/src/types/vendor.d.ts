// Minimal declarations for untyped CommonJS dependencies (only what the broker uses).
declare module 'qlobber' {
  interface QlobberOptions {
    separator?: string;
    wildcard_one?: string;
    wildcard_some?: string;
    match_empty_levels?: boolean;
  }
  interface QlobberInstance {
    add(topic: string, value: unknown): QlobberInstance;
    remove(topic: string, value?: unknown): QlobberInstance;
    match(topic: string): unknown[];
  }
  const qlobber: { Qlobber: new (options?: QlobberOptions) => QlobberInstance };
  export default qlobber;
}

declare module 'aedes-persistence-redis' {
  import type { Redis } from 'ioredis';
  /** the callback/stream wrapper aedes 1.x expects, around the async Redis persistence */
  interface RedisPersistence {
    setup(broker: unknown): Promise<void>;
    countOffline(): Promise<{ subsCount: number; clientsCount: number }>;
    destroy(): Promise<void>;
  }
  function persistence(opts: { conn: Redis; maxSessionDelivery?: number; packetTTL?: () => number }): RedisPersistence;
  export default persistence;
}
