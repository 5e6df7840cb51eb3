import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readyOrExit, spawnServer, waitForPort, type ServerProcess } from '@tianwang/core/testing';

/**
 * HAProxy from Debian in front of the broker nodes and the dashboard, as production would put a TCP load
 * balancer there (docs/operations.md has the same configuration). Health checks every second take a dead
 * broker node out within ≈ 2 s; its devices reconnect through the same address to the node that is left.
 */
export interface Balancer {
  mqttPort: number;
  httpPort: number;
  child: ServerProcess['child'];
  stop(): Promise<void>;
}

export function haproxyConfig(o: { mqttPort: number; brokers: number[]; httpPort: number; dashboards: number[]; maxconn: number }): string {
  return [
    'global',
    // each proxied connection holds two descriptors (client and server side); haproxy refuses to start when the
    // process limit cannot hold 2 × maxconn, so size it to the fleet rather than to a round number
    `  maxconn ${o.maxconn + 500}`,
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    // MQTT keep-alive is 60 s by default; an idle terminal must not be cut by the balancer first
    '  timeout client 10m',
    '  timeout server 10m',
    '  option redispatch',
    '  retries 2',
    'frontend mqtt',
    `  bind 127.0.0.1:${o.mqttPort}`,
    `  maxconn ${o.maxconn}`,
    '  default_backend brokers',
    'backend brokers',
    '  balance leastconn',
    // a node that stopped answering is taken out, and the sessions it still had are cut, so its devices reconnect
    '  default-server check inter 1s fall 2 rise 2 on-marked-down shutdown-sessions',
    ...o.brokers.map((p, i) => `  server broker${i + 1} 127.0.0.1:${p}`),
    'frontend web',
    `  bind 127.0.0.1:${o.httpPort}`,
    '  default_backend dashboards',
    'backend dashboards',
    '  balance roundrobin',
    '  default-server check inter 2s',
    ...o.dashboards.map((p, i) => `  server dashboard${i + 1} 127.0.0.1:${p}`),
    '',
  ].join('\n');
}

export async function startHaproxy(dir: string, o: Parameters<typeof haproxyConfig>[0]): Promise<Balancer> {
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig(o));
  // -db: stay in the foreground, so the soak owns the process and sees it die
  const child = spawnServer('haproxy', ['-db', '-f', file]);
  await readyOrExit(child, 'haproxy', waitForPort(o.mqttPort, 15_000));
  return {
    mqttPort: o.mqttPort,
    httpPort: o.httpPort,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
