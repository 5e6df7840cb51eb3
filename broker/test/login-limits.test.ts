import { connect as tcpConnect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { hashSecret } from '@tianwang/core/crypto';
import { startRedis, type RedisServer, waitFor } from '@tianwang/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceKey } from '../src/policy/login-limiter.js';
import { memoryDeviceSource, type BrokerService } from '../src/index.js';
import { metricValue, startTestBroker } from './helpers.js';
import { raw } from './raw-client.js';

/**
 * The per-source login limits (login-limiter.ts) on real sockets: loopback addresses 127.0.0.x are distinct
 * sources. Guessers run in a worker thread, as they would on another machine; the legitimate devices here.
 */
const SECRET = '0123456789abcdef0123456789abcdef';
const IDS = ['EL-0001', 'EL-0002', 'EL-0003', 'EL-0004'];
const devices = memoryDeviceSource(IDS.map((id) => ({ id, kind: 'elevator' as const, enabled: true, credentialHash: hashSecret(SECRET), unitId: 'U1', districtId: 'D1' })));
const RATE = 20;
const BURST = 5;
const PENDING = 50;

interface Storm {
  started: number;
  results: { code: number | null; at: number }[];
}

/**
 * `count` wrong-secret logins for EL-0001 at once from `localAddress`, in a worker thread. Resolves once the
 * thread is up; `go()` starts the storm and resolves with its outcome.
 */
async function storm(port: number, localAddress: string, count: number): Promise<{ go(): Promise<Storm> }> {
  const worker = new Worker(new URL('./login-storm-worker.mjs', import.meta.url), {
    workerData: { port, localAddress, count, clientId: 'EL-0001', username: 'EL-0001', password: 'not-the-secret' },
  });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  await Promise.race([new Promise((resolve) => worker.once('message', resolve)), failed]);
  return {
    go() {
      const outcome = new Promise<Storm>((resolve) => worker.once('message', resolve));
      worker.postMessage('go');
      return Promise.race([outcome, failed]).finally(() => void worker.terminate());
    },
  };
}

/** ms from the storm's start to each CONNACK, in order */
const answerTimes = (s: Storm) => s.results.filter((r) => r.code !== null).map((r) => r.at - s.started).sort((a, b) => a - b);

/** the k-th failure (0-based) may be answered (k + 1 − burst) / rate seconds after the first burst at the earliest */
const earliest = (k: number) => (Math.max(0, k + 1 - BURST) * 1000) / RATE;

describe('login limits per source address', () => {
  let redis: RedisServer;
  let broker: BrokerService;
  let port: number;

  /** a legitimate device logging in from `localAddress`; resolves with the ms it took to get CONNACK 0 */
  const timedLogin = async (id: string, localAddress: string) => {
    const t0 = performance.now();
    const c = await raw(port, id, id, SECRET, true, localAddress);
    const ms = performance.now() - t0;
    c.socket.destroy();
    return ms;
  };

  beforeAll(async () => {
    redis = await startRedis();
    ({ broker, port } = await startTestBroker({
      redisUrl: redis.url, devices,
      env: { TW_MQTT_LOGIN_FAILURE_RATE: String(RATE), TW_MQTT_LOGIN_FAILURE_BURST: String(BURST), TW_MQTT_LOGIN_PENDING_MAX: String(PENDING) },
    }));
  });
  afterAll(async () => {
    await broker?.stop();
    await redis?.stop();
  });

  it('2,000 parallel failures from one address are answered no faster than the rate; a device from another address keeps logging in in < 100 ms', async () => {
    // counters as the other tests left them: this test reads what its own storm adds
    const [judged, refusedUnread, delayedBefore] = [
      await metricValue(broker, 'tw_mqtt_auth_failures_total', { reason: 'bad_secret' }),
      await metricValue(broker, 'tw_mqtt_limit_violations_total', { limit: 'login_pending' }),
      await metricValue(broker, 'tw_mqtt_limit_violations_total', { limit: 'login_rate' }),
    ];
    const guesser = await storm(port, '127.0.0.2', 2000);
    // the device's usual login time, before the storm (the first login of a process also compiles its code)
    const before: number[] = [];
    for (let i = 0; i < 5; i++) before.push(await timedLogin('EL-0002', '127.0.0.1'));
    let stormOver = false;
    const attack = guesser.go().finally(() => (stormOver = true));
    const logins: number[] = [];
    while (!stormOver) logins.push(await timedLogin('EL-0002', '127.0.0.1'));
    const s = await attack;

    const answered = answerTimes(s);
    const closedUnread = s.results.filter((r) => r.code === null).length;
    expect(s.results).toHaveLength(2000);
    // every failure that got an answer got "bad user name or password", and none earlier than its turn
    expect(s.results.every((r) => r.code === null || r.code === 4)).toBe(true);
    answered.forEach((ms, k) => expect(ms, `answer ${k + 1} of ${answered.length}`).toBeGreaterThanOrEqual(earliest(k) - 2));
    // at most PENDING were read and judged at once; the rest were closed unread
    expect(answered.length).toBeGreaterThanOrEqual(PENDING);
    expect(answered.length + closedUnread).toBe(2000);

    // The device from another address kept logging in all through the storm: 95 % in < 100 ms, and none had to
    // wait for a TCP retransmission (a SYN the kernel dropped from a full accept queue costs ≥ 1 s). Not every
    // one < 100 ms: on the shared 2-core test machine other work stalls a login now and then, storm or not (up to
    // 200 ms seen before the storm, in the warm-up).
    const shown = `legitimate logins (ms) before: ${before.map((m) => m.toFixed(0)).join(' ')}, during: ${logins.map((m) => m.toFixed(0)).join(' ')}`;
    expect(logins.length, shown).toBeGreaterThanOrEqual(20);
    const sorted = [...logins].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.95) - 1], shown).toBeLessThan(100);
    expect(sorted.at(-1), shown).toBeLessThan(1000);

    expect((await metricValue(broker, 'tw_mqtt_limit_violations_total', { limit: 'login_pending' })) - refusedUnread).toBe(closedUnread);
    // answers held back for the rate (not all: the budget refills while the storm is being accepted)
    const delayed = (await metricValue(broker, 'tw_mqtt_limit_violations_total', { limit: 'login_rate' })) - delayedBefore;
    expect(delayed).toBeGreaterThan(0);
    expect(delayed).toBeLessThanOrEqual(answered.length - BURST);
    expect((await metricValue(broker, 'tw_mqtt_auth_failures_total', { reason: 'bad_secret' })) - judged).toBe(answered.length);
  });

  it('a device behind the guessing address logs in at once, and its success does not refill the guesser\'s budget', async () => {
    const source = '127.0.0.3';
    const judged = await metricValue(broker, 'tw_mqtt_auth_failures_total', { reason: 'bad_secret' });
    const attack = (await storm(port, source, 30)).go();
    // all 30 checked (the first BURST answered, the others waiting for their turn)
    await waitFor(async () => (await metricValue(broker, 'tw_mqtt_auth_failures_total', { reason: 'bad_secret' })) === judged + 30, { timeoutMs: 5000, what: 'the storm judged' });
    // three logins in a row, each answered at once (the best one < 100 ms: one may stall on the shared machine)
    const ms = [await timedLogin('EL-0003', source), await timedLogin('EL-0003', source), await timedLogin('EL-0003', source)];
    expect(Math.min(...ms), ms.join(' ')).toBeLessThan(100);
    expect(Math.max(...ms), ms.join(' ')).toBeLessThan(1000);
    // the next failure from this address is the 31st: it waits for its turn, (31 − burst) / rate seconds after the
    // storm began (the successes reset nothing; a reset budget would answer it at once)
    const late = await (await storm(port, source, 1)).go();
    const s = await attack;
    expect(late.results[0]!.code).toBe(4);
    expect(late.results[0]!.at - s.started).toBeGreaterThanOrEqual(earliest(30) - 2);
    answerTimes(s).forEach((ms, k) => expect(ms).toBeGreaterThanOrEqual(earliest(k) - 2));
  });

  it('connections that never log in count against their address only, until they close', async () => {
    const source = '127.0.0.4';
    const idle: Socket[] = [];
    for (let i = 0; i < PENDING; i++) {
      const s = tcpConnect({ port, host: '127.0.0.1', localAddress: source });
      s.on('error', () => {});
      idle.push(s);
      await new Promise((resolve) => s.once('connect', resolve));
    }
    await waitFor(async () => (await metricValue(broker, 'tw_mqtt_connections', { transport: 'tcp' })) >= PENDING, { timeoutMs: 5000, what: 'idle connections accepted' });
    // the address is full: a valid login from it is closed unread; another address is not affected
    await expect(raw(port, 'EL-0004', 'EL-0004', SECRET, true, source)).rejects.toThrow('closed before CONNACK');
    const other = [await timedLogin('EL-0004', '127.0.0.5'), await timedLogin('EL-0004', '127.0.0.5')];
    expect(Math.min(...other), other.join(' ')).toBeLessThan(100);
    idle.pop()?.destroy();
    await waitFor(async () => {
      try {
        await timedLogin('EL-0004', source);
        return true;
      } catch {
        return false;
      }
    }, { timeoutMs: 5000, what: 'a login once a slot is free' });
    for (const s of idle) s.destroy();
  });
});

describe('sourceKey', () => {
  it('is the IPv4 address (also IPv4-mapped), or the /64 of an IPv6 address', () => {
    expect(sourceKey('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:DB8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
    expect(sourceKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceKey('1:2::3:4:5:1.2.3.4')).toBe('1:2:0:3::/64');
    expect(sourceKey('unknown')).toBe('unknown');
  });
});
