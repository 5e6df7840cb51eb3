import { join } from 'node:path';
import type { StatsSnapshot } from '@tianwang/firmware-sim';
import { freePort, waitForHttp } from '@tianwang/core/testing';
import { processHandle, type ProcessHandle } from './process-handle.js';
import { ROOT } from './platform.js';

/**
 * The firmware simulator (firmware-sim's `run` command) with every soak terminal, connected through HAProxy,
 * and its live control API: faults are injected there, and its /stats says what the broker acknowledged.
 */
/** what the simulator's control API answers on /stats */
export type SimStats = StatsSnapshot;

export interface Simulator {
  process: ProcessHandle;
  stats(): Promise<SimStats>;
  inject(device: string, fault: string, seconds?: number): Promise<void>;
  clear(device: string, fault: string): Promise<void>;
}

export async function startSimulator(o: { dir: string; devicesFile: string; mqttPort: number; intervalS: number; devices: number }): Promise<Simulator> {
  const port = await freePort();
  const token = 'soak-control-token';
  const cli = join(ROOT, 'firmware-sim/src/cli.ts');
  const args = ['--conditions=@tianwang/source', '--import', 'tsx', cli, 'run', '--devices', o.devicesFile, '-b', `mqtt://127.0.0.1:${o.mqttPort}`, '-i', String(o.intervalS), '--control-port', String(port), '--control-token', token, '--no-interactive', '-q', '--connect-rate', '1000'];
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${token}` };
  const proc = processHandle('simulator', process.execPath, args, {
    cwd: ROOT,
    env: {},
    logFile: join(o.dir, 'logs', 'simulator.log'),
    ready: () => waitForHttp(`${base}/stats`, 120_000),
  });
  await proc.start();
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    process: proc,
    stats: async () => (await (await call('GET', '/stats')).json()) as SimStats,
    inject: async (device, fault, seconds) => void (await call('POST', '/faults', { device, fault, ...(seconds ? { seconds } : {}) })),
    clear: async (device, fault) => void (await call('DELETE', `/faults/${device}/${fault}`)),
  };
}
