import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@tianwang/core/log';
import { backoffDelay } from '../terminal/backoff.js';
import { DEFAULT_PICTURE, clockText, fillTemplate, pictureArgs, pushArgs, rtpArgs, type CameraSpec, type PictureOptions } from './camera-args.js';
import { RtspServer } from './rtsp-server.js';

export type { CameraSpec } from './camera-args.js';

export interface CameraFleetConfig {
  cameras: CameraSpec[];
  /** RTMP publish URL template: {camera}, {secret}, {kitchen} are filled in */
  rtmpUrl: string;
  /** RTSP port for pull cameras (0 = any free port) */
  rtspPort: number;
  picture?: Partial<PictureOptions>;
  ffmpegPath?: string;
}

export interface CameraStatus {
  id: string;
  mode: 'push' | 'pull';
  /** where the picture goes (push, secret hidden) or where to pull it (pull, with credentials) */
  url: string;
  running: boolean;
  restarts: number;
  lastError?: string;
}

export interface CameraFleet {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): CameraStatus[];
}

interface Running {
  spec: CameraSpec;
  child?: ChildProcess;
  restarts: number;
  timer?: NodeJS.Timeout;
  tail: string;
  udpPort?: number;
}

/**
 * Simulated kitchen cameras: one supervised ffmpeg per camera pushing a test picture over RTMP with its
 * publish credential, or (pull cameras) feeding the built-in RTSP server. A crashed or refused ffmpeg is
 * restarted with backoff, as a camera that lost its uplink would redial.
 */
export function createCameraFleet(config: CameraFleetConfig, deps: { log?: Logger } = {}): CameraFleet {
  const log = deps.log?.child({ component: 'camera-sim' });
  const picture = { ...DEFAULT_PICTURE, ...config.picture };
  const ffmpeg = config.ffmpegPath ?? 'ffmpeg';
  const rtsp = config.cameras.some((c) => c.mode === 'pull') ? new RtspServer() : undefined;
  const cams = new Map<string, Running>(config.cameras.map((spec) => [spec.id, { spec, restarts: 0, tail: '' }]));
  let dir = '';
  let stopping = false;

  const launch = async (cam: Running): Promise<void> => {
    const { spec } = cam;
    const files = { title: join(dir, `${spec.id}.title.txt`), clock: join(dir, `${spec.id}.clock.txt`) };
    await writeFile(files.title, `${spec.kitchenName} · ${spec.area}\n${spec.id}`);
    await writeFile(files.clock, clockText(Date.now()));
    const sdpFile = join(dir, `${spec.id}.sdp`);
    const out = spec.mode === 'push' ? pushArgs(fillTemplate(config.rtmpUrl, spec)) : rtpArgs(cam.udpPort!, sdpFile);
    if (spec.mode === 'pull') await rm(sdpFile, { force: true });
    const child = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'warning', '-nostdin', ...pictureArgs(files, picture), ...out], { stdio: ['ignore', 'ignore', 'pipe'] });
    cam.child = child;
    child.stderr?.on('data', (b: Buffer) => (cam.tail = (cam.tail + b.toString()).slice(-2000)));
    child.on('error', (err) => (cam.tail = err.message));
    child.on('exit', (code, signal) => {
      cam.child = undefined;
      if (stopping) return;
      const delay = backoffDelay(Math.min(cam.restarts, 6), 1000, 30_000);
      cam.restarts++;
      log?.warn({ camera: spec.id, code, signal, delay, ffmpeg: lastLine(cam.tail) }, 'camera ffmpeg exited; restarting');
      cam.timer = setTimeout(() => void launch(cam), delay);
    });
    if (spec.mode === 'pull') {
      // ffmpeg writes the SDP once its output is open; the RTSP server describes the stream with it
      const sdp = await waitForFile(sdpFile, 10_000);
      if (sdp) rtsp!.setSource({ id: spec.id, secret: spec.secret, sdp });
    }
  };

  return {
    async start() {
      dir = await mkdtemp(join(tmpdir(), 'tw-camsim-'));
      if (rtsp) await rtsp.start(config.rtspPort);
      for (const cam of cams.values()) if (cam.spec.mode === 'pull') cam.udpPort = await rtsp!.openInput(cam.spec.id);
      await Promise.all([...cams.values()].map((c) => launch(c)));
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      await Promise.all(
        [...cams.values()].map(async (cam) => {
          clearTimeout(cam.timer);
          const child = cam.child;
          if (!child) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 3000);
          await exited;
          clearTimeout(t);
        }),
      );
      await rtsp?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
    status() {
      return [...cams.values()].map((c) => ({
        id: c.spec.id,
        mode: c.spec.mode,
        url: c.spec.mode === 'push' ? fillTemplate(config.rtmpUrl, { ...c.spec, secret: '***' }).replace('%2A%2A%2A', '***') : rtsp!.url(c.spec.id, c.spec.secret),
        running: Boolean(c.child),
        restarts: c.restarts,
        // ffmpeg's error line quotes the URL, publish credential included: never show it
        ...(c.tail ? { lastError: hideSecret(lastLine(c.tail), c.spec.secret) } : {}),
      }));
    },
  };
}

async function waitForFile(path: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.includes('m=')) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

function hideSecret(line: string, secret: string): string {
  return secret ? line.split(secret).join('***').split(encodeURIComponent(secret)).join('***') : line;
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}
