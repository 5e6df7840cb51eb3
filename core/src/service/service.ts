/** Every service is `createX(config, deps) → Service`. start() resolves when really ready; stop() is idempotent. */
export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}
