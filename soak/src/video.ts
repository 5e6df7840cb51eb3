import { join } from 'node:path';
import { processHandle, type ProcessHandle } from './process-handle.js';
import { ROOT } from './platform.js';

/**
 * Kitchen cameras (the simulator's ffmpeg test pictures pushing RTMP) and public players. Each player gets its URLs
 * the way a consumer's phone does: the live grant of the kitchen's public page (`POST /k/<code>/live` on the
 * dashboard, through HAProxy: business hours, viewer quota, address limit), then plays that grant's HTTP-FLV URL and
 * counts bytes. While the grant lasts, a stream that ends (the relay restarting) is asked for again with the same URL,
 * as the page's player does; once the grant is over (the relay ends the session at its expiry) the player asks for a
 * new grant. `lastBytesAt` tells when each one last received video.
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

export function startPlayers(o: { count: number; dashboardUrl: string; kitchenCodes: string[] }): Players {
  const last = Array.from({ length: o.count }, () => 0);
  let total = 0;
  let stopped = false;
  const controllers = new Set<AbortController>();
  const pause = () => new Promise((r) => setTimeout(r, 500));
  /** one connection to the relay with the grant's URL, read until the relay (or the run) ends it */
  const stream = async (i: number, url: string) => {
    const ac = new AbortController();
    controllers.add(ac);
    try {
      const video = await fetch(url, { signal: ac.signal });
      if (!video.ok || !video.body) throw new Error(`flv ${video.status}`);
      for await (const chunk of video.body as AsyncIterable<Uint8Array>) {
        total += chunk.byteLength;
        last[i] = Date.now();
        if (stopped) break;
      }
    } catch {
      /* the relay is restarting or the camera is not back yet: asked again while the grant lasts */
    } finally {
      controllers.delete(ac);
      ac.abort();
    }
  };
  const play = async (i: number) => {
    const code = o.kitchenCodes[i % o.kitchenCodes.length]!;
    while (!stopped) {
      try {
        const res = await fetch(`${o.dashboardUrl}/k/${code}/live`, { method: 'POST' });
        const grant = (await res.json()) as { state: string; seconds?: number; streams?: { flv: string }[] };
        const st = grant.streams?.[i % grant.streams.length];
        if (grant.state !== 'live' || !st || !grant.seconds) throw new Error(`live grant ${res.status} ${grant.state}`);
        const until = Date.now() + grant.seconds * 1000;
        // the URL is refused from its expiry on (exp is in whole seconds, so up to 1 s before `until`)
        while (!stopped && Date.now() < until - 1000) {
          await stream(i, st.flv);
          if (!stopped && Date.now() < until - 1000) await pause();
        }
      } catch {
        /* the dashboard is busy or restarting: ask again */
        if (!stopped) await pause();
      }
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
