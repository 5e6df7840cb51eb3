import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Lifecycle, type Service } from '@tianwang/core/service';
import { portAccepts, serviceLifecycleContract, type LifecycleSubject } from '@tianwang/core/testing';

/** A service with two TCP listeners on port 0 (the second may be told to fail): real sockets to probe. */
function twoListeners(failSecond = false): LifecycleSubject & { starts: () => number } {
  const open = new Set<Server>();
  let last: Server | undefined;
  let starts = 0;
  const listen = async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open.add(server);
    return server;
  };
  const lifecycle = new Lifecycle(async (shutdown) => {
    starts++;
    const a = await listen();
    shutdown.add('first', () => new Promise((r) => a.close(() => r(open.delete(a)))));
    if (failSecond) throw new Error('second listener: address in use');
    const b = await listen();
    shutdown.add('second', () => new Promise((r) => b.close(() => r(open.delete(b)))));
    last = b;
  });
  const service: Service = { start: () => lifecycle.start(), stop: () => lifecycle.stop() };
  const answers = (s: Server) => portAccepts((s.address() as { port: number } | null)?.port);
  return { service, starts: () => starts, ready: async () => !!last && (await answers(last)), held: async () => open.size };
}

serviceLifecycleContract('two listeners', async () => twoListeners(), { failing: async () => twoListeners(true) });

describe('Lifecycle', () => {
  it('runs the start steps once for concurrent and repeated start() calls', async () => {
    const s = twoListeners();
    await Promise.all([s.service.start(), s.service.start()]);
    await s.service.start();
    expect(s.starts()).toBe(1);
    await s.service.stop();
    await s.service.start();
    expect(s.starts()).toBe(2);
    await s.service.stop();
  });

  it('a start() called during a stop() starts after the stop finished', async () => {
    const s = twoListeners();
    await s.service.start();
    const stopping = s.service.stop();
    const restarted = s.service.start();
    await stopping;
    await restarted;
    expect(s.starts()).toBe(2);
    expect(await s.ready()).toBe(true);
    expect(await s.held()).toBe(2);
    await s.service.stop();
    expect(await s.held()).toBe(0);
  });

  it('a failed start runs the steps again on the next start()', async () => {
    const s = twoListeners(true);
    await expect(s.service.start()).rejects.toThrow('address in use');
    await expect(s.service.start()).rejects.toThrow('address in use');
    expect(s.starts()).toBe(2);
    expect(await s.held()).toBe(0);
  });
});
