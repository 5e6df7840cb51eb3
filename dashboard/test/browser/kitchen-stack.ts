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

export interface KitchenStack {
  /** http://127.0.0.1:<port> of the dashboard (the built web app) */
  base: string;
  /** http://127.0.0.1:<port> of the relay (play URLs point here) */
  relayBase: string;
  registry: Registry;
  relay: Streams;
  /** the relay's data folder (recordings/<camera>/, snapshots/) */
  relayDataDir: string;
  world: World;
  /** rtmp:// URL a camera publishes to */
  publishUrl(cameraId: string): string;
  /** WS-FLV players the relay is serving now (its tw_streams_viewers gauge, as text) */
  relayViewers(): Promise<string | undefined>;
  /** audited viewings not ended yet */
  openViewings(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The bright-kitchens pages against real parts: the dashboard (seeded world, today's web app built by Vite, listening)
 * and the stream relay (streams' createStreams on the same registry and secret, its own ports), with K1 holding four
 * push cameras (recording and the health monitor off: the tests watch players, not ffmpeg children). A second D1
 * inspector (insp1b) lets a draw give K1 two inspectors without a conflict.
 */
export async function startKitchenStack(o: { recording?: boolean; env?: Record<string, string> } = {}): Promise<KitchenStack> {
  const webRoot = await buildWebApp();
  const [httpPort, relayPort, rtmpPort] = [await freePort(), await freePort(), await freePort()];
  const base = `http://127.0.0.1:${httpPort}`;
  const relayBase = `http://127.0.0.1:${relayPort}`;
  const world = await startWorld({
    env: { TW_STREAMS_API_URL: relayBase, TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(httpPort), TW_PUBLIC_URL: base, ...o.env },
    deps: { webRoot },
  });
  const { registry } = world;
  const names: Record<string, string> = { 'CAM-1': '烹饪区', 'CAM-1B': '凉菜间', 'CAM-1C': '粗加工区', 'CAM-1D': '洗消间' };
  for (const id of WALL_CAMERAS)
    await registry.kitchens.upsertCamera({
      id, kitchenId: 'K1', area: 'cooking', name: names[id]!, mode: 'push', sourceUrlSealed: null, publishCredentialHash: hashSecret(cameraSecret(id)),
      recordingEnabled: o.recording ?? false, recordingHours: null, enabled: true,
    });
  await registry.users.upsert({ id: 'insp1b', username: 'insp1b', displayName: '东区检查员乙', role: 'inspector', phone: null, districtId: 'D1', unitId: null, maintenanceCompanyId: null, password: PASSWORD });
  const relayDataDir = await tempDir('kitchen-relay');
  const relay = createStreams(
    loadConfig({
      TW_DATA_DIR: relayDataDir, TW_SECRET_KEY: SECRET, TW_STREAMS_HOST: '127.0.0.1', TW_RTMP_PORT: String(rtmpPort), TW_STREAMS_HTTP_PORT: String(relayPort),
      TW_STREAMS_METRICS_PORT: String(await freePort()), TW_CAMERA_HEALTH_MODE: 'off', TW_KEY_PREFIX: world.config.common.keyPrefix, TW_REDIS_URL: world.config.common.redisUrl, ...o.env,
    }),
    { registry, log: silentLogger() },
  );
  await relay.start();
  await world.dashboard.start();
  return {
    base, relayBase, registry, relay, relayDataDir, world,
    publishUrl: (id) => `rtmp://127.0.0.1:${rtmpPort}/live/${id}?token=${cameraSecret(id)}`,
    relayViewers: async () => /^tw_streams_viewers(?:\{[^}]*\})? (\d+)$/m.exec(await relay.metrics.metrics())?.[1],
    openViewings: async () => (await registry.db.query<{ n: number }>('SELECT count(*)::int AS n FROM camera_viewings WHERE ended_at IS NULL'))[0]!.n,
    async close() {
      await relay.stop();
      await world.close();
    },
  };
}
