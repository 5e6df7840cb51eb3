import { UserError } from '@tianwang/core/errors';
import { createCameraFleet } from '../cameras/camera-fleet.js';
import type { CameraSpec } from '../cameras/camera-args.js';
import { demoCameras } from '../fleet/demo-fleet.js';
import { duration, int } from './fleet-options.js';

export interface CameraCliOptions {
  fromDemo?: boolean;
  seed: string;
  count?: string;
  idPrefix: string;
  secret?: string;
  kitchen: string;
  area: string;
  pull?: boolean;
  rtmpUrl: string;
  rtspPort: string;
  size: string;
  fps: string;
  bitrate: string;
  duration?: string;
}

export async function runCameras(o: CameraCliOptions): Promise<void> {
  const out = process.stderr;
  const cameras: CameraSpec[] = [];
  if (o.fromDemo) cameras.push(...(await demoCameras(int(o.seed, '--seed'))).map((c) => ({ ...c, mode: o.pull ? ('pull' as const) : c.mode })));
  if (o.count) {
    if (!o.secret) throw new UserError('TW_CONFIG_INVALID', '--count needs --secret (the publish credential the streams service knows)');
    for (let i = 1; i <= int(o.count, '--count'); i++) {
      cameras.push({ id: `${o.idPrefix}-${String(i).padStart(4, '0')}`, secret: o.secret, kitchenName: o.kitchen, area: o.area, mode: o.pull ? 'pull' : 'push' });
    }
  }
  if (cameras.length === 0) throw new UserError('TW_CONFIG_INVALID', 'no cameras: use --from-demo or --count N --secret S');
  const m = /^(\d+)x(\d+)$/.exec(o.size);
  if (!m) throw new UserError('TW_CONFIG_INVALID', `--size must look like 640x360, got "${o.size}"`);
  const fleet = createCameraFleet({
    cameras,
    rtmpUrl: o.rtmpUrl,
    rtspPort: int(o.rtspPort, '--rtsp-port'),
    picture: { width: Number(m[1]), height: Number(m[2]), fps: int(o.fps, '--fps'), bitrate: o.bitrate },
  });
  await fleet.start();
  for (const s of fleet.status()) out.write(`${s.id} ${s.mode} ${s.url}\n`);
  const timer = setInterval(() => {
    const st = fleet.status();
    const down = st.filter((s) => !s.running);
    out.write(`cameras running ${st.length - down.length}/${st.length}${down.length ? ` · down: ${down.map((d) => `${d.id} (${d.lastError ?? 'exited'})`).join('; ')}` : ''}\n`);
  }, 10_000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (o.duration) setTimeout(resolve, duration(o.duration, '--duration'));
  });
  clearInterval(timer);
  await fleet.stop();
  out.write('cameras stopped\n');
}
