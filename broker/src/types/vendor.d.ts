// Minimal declarations for untyped CommonJS dependencies (only what the broker uses).
declare module 'qlobber' {
  interface QlobberOptions {
    separator?: string;
    wildcard_one?: string;
    wildcard_some?: string;
    match_empty_levels?: boolean;
  }
  class Qlobber {
    constructor(options?: QlobberOptions);
    add(topic: string, value: unknown): this;
    remove(topic: string, value?: unknown): this;
    match(topic: string): unknown[];
  }
  const qlobber: { Qlobber: typeof Qlobber };
  export default qlobber;
}

declare module 'aedes-persistence-redis/asyncPersistence.js' {
  import type { Redis } from 'ioredis';
  class AsyncRedisPersistence {
    constructor(opts: { conn: Redis; maxSessionDelivery?: number; packetTTL?: () => number });
    setup(broker: unknown): Promise<void>;
    countOffline(): Promise<{ subsCount: number; clientsCount: number }>;
    destroy(): Promise<void>;
  }
  export default AsyncRedisPersistence;
}
