import { loadConfig } from '@tianwang/core/config';
import { hashSecret } from '@tianwang/core/crypto';
import { silentLogger } from '@tianwang/core/log';
import type { Registry } from '@tianwang/core/registry';
import { freePort, tempDir } from '@tianwang/core/testing';
import { createStreams, type Streams } from '@tianwang/streams';
import { PASSWORD, SECRET, startWorld, type World } from '../helpers/world.js';
import { buildWebApp } from './web-build.js';

/** K1's cameras on the wall (CAM-1 is the seeded one); each pushes with its own secret. */
export const WALL_CAMERAS = ['CAM-1', 'CAM-1B', 'CAM-1C', 'CAM-1D'] as const;
export const cameraSecret = (id: string) => `${id.toLowerCase()}-secret-0123456789abcdef`;

/** The dashboard side of the kitchen pages: everything but the relay, which listens on `relayBase` and `rtmpPort`. */
export interface KitchenWorld {
  /** http://127.0.0.1:<port> of the dashboard (the built web app) */
  base: string;
  /** http://127.0.0.1:<port> of the relay (play URLs point here) */
  relayBase: string;
  relayPort: number;
  rtmpPort: number;
  registry: Registry;
  world: World;
  /** rtmp:// URL a camera publishes to */
  publishUrl(cameraId: string): string;
}

export interface KitchenStack extends KitchenWorld {
  relay: Streams;
  /** the relay's data folder (recordings/<camera>/, snapshots/) */
  relayDataDir: string;
  /** WS-FLV players the relay is serving now (its tw_streams_viewers gauge, as text) */
  relayViewers(): Promise<string | undefined>;
  /** audited viewings not ended yet */
  openViewings(): Promise<number>;
  close(): Promise<void>;
}

export interface KitchenOptions {
  recording?: boolean;
  env?: Record<string, string>;
  /** K1's push cameras (default WALL_CAMERAS) */
  cameras?: readonly string[];
  /** the registry in a PostgreSQL server (the world's `databaseUrl`), so that a relay in another process shares it */
  backend?: 'pglite' | 'postgres';
}

/**
 * The dashboard (seeded world, today's web app built by Vite, listening) with K1 holding push cameras (each pushes
 * with its own secret; recording off unless asked), pointed at a relay still to be started on `relayPort`/`rtmpPort`
 * with the world's secret and registry. A second D1 inspector (insp1b) lets a draw give K1 two inspectors without a
 * conflict. bench:dashboard's wall part runs the relay as a process of its own on this.
 */
export async function startKitchenWorld(o: KitchenOptions = {}): Promise<KitchenWorld> {
  const webRoot = await buildWebApp();
  const [httpPort, relayPort, rtmpPort] = [await freePort(), await freePort(), await freePort()];
  const base = `http://127.0.0.1:${httpPort}`;
  const relayBase = `http://127.0.0.1:${relayPort}`;
  const world = await startWorld({
    backend: o.backend,
    env: { TW_STREAMS_API_URL: relayBase, TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(httpPort), TW_PUBLIC_URL: base, ...o.env },
    deps: { webRoot },
  });
  const { registry } = world;
  const names: Record<string, string> = { 'CAM-1': '烹饪区', 'CAM-1B': '凉菜间', 'CAM-1C': '粗加工区', 'CAM-1D': '洗消间' };
  for (const id of o.cameras ?? WALL_CAMERAS)
    await registry.kitchens.upsertCamera({
      id, kitchenId: 'K1', area: 'cooking', name: names[id] ?? id, mode: 'push', sourceUrlSealed: null, publishCredentialHash: hashSecret(cameraSecret(id)),
      recordingEnabled: o.recording ?? false, recordingHours: null, enabled: true,
    });
  await registry.users.upsert({ id: 'insp1b', username: 'insp1b', displayName: '东区检查员乙', role: 'inspector', phone: null, districtId: 'D1', unitId: null, maintenanceCompanyId: null, password: PASSWORD });
  await world.dashboard.start();
  return { base, relayBase, relayPort, rtmpPort, registry, world, publishUrl: (id) => `rtmp://127.0.0.1:${rtmpPort}/live/${id}?token=${cameraSecret(id)}` };
}

/**
 * The bright-kitchens pages against real parts: the kitchen world above and the stream relay (streams' createStreams
 * in this process on the same registry and secret, its own ports; the health monitor off: the tests watch players,
 * not ffmpeg children).
 */
export async function startKitchenStack(o: KitchenOptions = {}): Promise<KitchenStack> {
  const kw = await startKitchenWorld(o);
  const { world } = kw;
  const relayDataDir = await tempDir('kitchen-relay');
  const relay = createStreams(
    loadConfig({
      TW_DATA_DIR: relayDataDir, TW_SECRET_KEY: SECRET, TW_STREAMS_HOST: '127.0.0.1', TW_RTMP_PORT: String(kw.rtmpPort), TW_STREAMS_HTTP_PORT: String(kw.relayPort),
      TW_STREAMS_METRICS_PORT: String(await freePort()), TW_CAMERA_HEALTH_MODE: 'off', TW_KEY_PREFIX: world.config.common.keyPrefix, TW_REDIS_URL: world.config.common.redisUrl, ...o.env,
    }),
    { registry: kw.registry, log: silentLogger() },
  );
  await relay.start();
  return {
    ...kw, relay, relayDataDir,
    relayViewers: async () => /^tw_streams_viewers(?:\{[^}]*\})? (\d+)$/m.exec(await relay.metrics.metrics())?.[1],
    openViewings: async () => (await kw.registry.db.query<{ n: number }>('SELECT count(*)::int AS n FROM camera_viewings WHERE ended_at IS NULL'))[0]!.n,
    async close() {
      await relay.stop();
      await world.close();
    },
  };
}
