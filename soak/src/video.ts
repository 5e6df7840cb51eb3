import { join } from 'node:path';
import { processHandle, type ProcessHandle } from './process-handle.js';
import { ROOT } from './platform.js';

/**
 * Kitchen cameras (the simulator's ffmpeg test pictures pushing RTMP) and public players: each player asks the
 * streams service for its kitchen's public play URLs, plays HTTP-FLV and counts bytes; when the stream ends it
 * asks again, as the web player does. `lastBytesAt` tells when each one last received video.
 */
export interface Players {
  lastBytesAt(): number[];
  bytes(): number;
  stop(): void;
}

export async function startCameras(o: { dir: string; count: number; secret: string; prefix: string; rtmpPort: number }): Promise<ProcessHandle> {
  const cli = join(ROOT, 'firmware-sim/src/cli.ts');
  const args = ['--conditions=@tianwang/source', '--import', 'tsx', cli, 'cameras', '--count', String(o.count), '--secret', o.secret, '--id-prefix', o.prefix, '--size', '320x180', '--fps', '10', '--bitrate', '150k', '--rtmp-url', `rtmp://127.0.0.1:${o.rtmpPort}/live/{camera}?token={secret}`];
  const proc = processHandle('cameras', process.execPath, args, { cwd: ROOT, env: {}, logFile: join(o.dir, 'logs', 'cameras.log'), ready: async () => {} });
  await proc.start();
  return proc;
}

export function startPlayers(o: { count: number; streamsHttp: number; kitchens: string[]; cameras: string[] }): Players {
  const last = Array.from({ length: o.count }, () => 0);
  let total = 0;
  let stopped = false;
  const controllers = new Set<AbortController>();
  const play = async (i: number) => {
    const kitchen = o.kitchens[i % o.kitchens.length]!;
    while (!stopped) {
      const ac = new AbortController();
      controllers.add(ac);
      try {
        const res = await fetch(`http://127.0.0.1:${o.streamsHttp}/api/public/kitchens/${kitchen}/play-urls`, { signal: ac.signal });
        if (!res.ok) throw new Error(`play-urls ${res.status}`);
        const { cameras } = (await res.json()) as { cameras: { camera: string; flv: string }[] };
        const cam = cameras[i % cameras.length];
        if (!cam) throw new Error('no camera');
        const video = await fetch(cam.flv, { signal: ac.signal });
        if (!video.ok || !video.body) throw new Error(`flv ${video.status}`);
        for await (const chunk of video.body as AsyncIterable<Uint8Array>) {
          total += chunk.byteLength;
          last[i] = Date.now();
          if (stopped) break;
        }
      } catch {
        /* the relay is restarting or the camera is not back yet: ask again */
      } finally {
        controllers.delete(ac);
        ac.abort();
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 500));
    }
  };
  for (let i = 0; i < o.count; i++) void play(i);
  return {
    lastBytesAt: () => [...last],
    bytes: () => total,
    stop() {
      stopped = true;
      for (const c of controllers) c.abort();
    },
  };
}
