import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../service/index.js';
import { waitFor } from './wait.js';

/** One fresh, unstarted service and two probes that look at it from outside (its ports, its Redis connections). */
export interface LifecycleSubject {
  service: Service;
  /** true when the service is fully started: what its last start step opens answers */
  ready(): Promise<boolean>;
  /** how many connections and listeners the service holds open now; 0 once it released everything */
  held(): Promise<number>;
  /** frees what the factory made besides the service (registry, servers); called after each test */
  dispose?(): Promise<void>;
}

export interface LifecycleContractOptions {
  /** a fresh service whose start fails part-way, after it opened something: its start must undo that */
  failing?: () => Promise<LifecycleSubject>;
  /** bound for each wait on a probe, ms (default 10 s) */
  timeoutMs?: number;
}

/**
 * The lifecycle every service promises (core/src/service/lifecycle.ts, docs/development.md), checked from outside:
 * run it against each service factory, e.g. `serviceLifecycleContract('broker', () => brokerSubject())`.
 */
export function serviceLifecycleContract(name: string, factory: () => Promise<LifecycleSubject>, o: LifecycleContractOptions = {}): void {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const made: LifecycleSubject[] = [];
  const fresh = async (make = factory) => {
    const s = await make();
    made.push(s);
    return s;
  };
  const released = (s: LifecycleSubject, what: string) => waitFor(async () => (await s.held()) === 0, { timeoutMs, what: `${name} to release everything ${what}` });

  describe(`${name}: service lifecycle contract`, () => {
    afterEach(async () => {
      for (const s of made.splice(0)) {
        await s.service.stop().catch(() => {});
        await s.dispose?.();
      }
    });

    it('start() resolves only when ready; stop() releases everything', async () => {
      const s = await fresh();
      expect(await s.held()).toBe(0);
      await s.service.start();
      expect(await s.ready()).toBe(true);
      expect(await s.held()).toBeGreaterThan(0);
      await s.service.stop();
      await released(s, 'after stop()');
    });

    it('concurrent start() calls start once, and each resolves only when ready', async () => {
      const s = await fresh();
      const first = s.service.start();
      // the second call comes while the first is still opening connections: it must not resolve earlier
      await s.service.start();
      expect(await s.ready()).toBe(true);
      await first;
      await s.service.start();
      await s.service.stop();
      // had the steps run twice, the first run's connections would be lost and stay open
      await released(s, 'after concurrent starts and one stop()');
    });

    it('start() after stop() starts again, and stop() then releases again', async () => {
      const s = await fresh();
      await s.service.start();
      await s.service.stop();
      await released(s, 'after the first stop()');
      await s.service.start();
      expect(await s.ready()).toBe(true);
      expect(await s.held()).toBeGreaterThan(0);
      await s.service.stop();
      await released(s, 'after the second stop()');
    });

    it('stop() before start() and repeated stop() calls are harmless', async () => {
      const s = await fresh();
      await s.service.stop();
      await s.service.start();
      await Promise.all([s.service.stop(), s.service.stop()]);
      await s.service.stop();
      await released(s, 'after repeated stop()');
    });

    it('stop() during start() waits for the start, then releases everything', async () => {
      const s = await fresh();
      const starting = s.service.start();
      await s.service.stop();
      await starting;
      await released(s, 'after a stop() during start()');
    });

    if (o.failing) {
      const failing = o.failing;
      it('a start that fails part-way rejects and undoes what it opened; stop() then is harmless', async () => {
        const s = await fresh(failing);
        await expect(s.service.start()).rejects.toThrow();
        await released(s, 'after a failed start');
        // a second attempt runs the steps again (it fails the same way) rather than returning the old rejection
        await expect(s.service.start()).rejects.toThrow();
        await released(s, 'after a second failed start');
        await s.service.stop();
      });
    }
  });
}
