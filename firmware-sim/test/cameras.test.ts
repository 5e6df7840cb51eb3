import { readFile } from 'node:fs/promises';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort, waitFor } from '@tianwang/core/testing';
import { createCameraFleet } from '../src/cameras/camera-fleet.js';

const run = promisify(execFile);
const picture = { width: 320, height: 180, fps: 10, bitrate: '200k' };

describe('camera simulator (real ffmpeg)', () => {
  it('pull: serves RTSP with Basic auth; a player gets H.264 320x180, a wrong password gets nothing', async () => {
    const port = await freePort();
    const fleet = createCameraFleet({ cameras: [{ id: 'CAM-T1', secret: 'pw', kitchenName: '老街面馆', area: '烹饪区', mode: 'pull' }], rtmpUrl: '', rtspPort: port, picture });
    await fleet.start();
    try {
      const probe = (url: string) => run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', url], { timeout: 15_000 });
      const { stdout } = await probe(`rtsp://CAM-T1:pw@127.0.0.1:${port}/CAM-T1`);
      expect(stdout.trim()).toBe('h264,320,180');
      await expect(probe(`rtsp://CAM-T1:wrong@127.0.0.1:${port}/CAM-T1`)).rejects.toThrow();
    } finally {
      await fleet.stop();
    }
  });

  it('push: publishes RTMP to the URL template with its credential', async () => {
    const port = await freePort();
    // ffmpeg as a one-shot RTMP server: it accepts the publish and writes one frame
    const server = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/CAM-P1`, '-frames:v', '1', '-f', 'null', '-'], { stdio: 'ignore' });
    // not waitForPort: a probe connection would be the one connection ffmpeg -listen 1 accepts
    await waitFor(() => listening(port), { timeoutMs: 15_000, what: 'ffmpeg to listen' });
    const fleet = createCameraFleet({ cameras: [{ id: 'CAM-P1', secret: 's e/c', kitchenName: 'K', area: 'A', mode: 'push' }], rtmpUrl: `rtmp://127.0.0.1:${port}/live/{camera}?token={secret}`, rtspPort: 0, picture });
    await fleet.start();
    try {
      const code = await new Promise<number | null>((r) => server.on('exit', r));
      expect(code).toBe(0);
      expect(fleet.status()[0]?.url).toBe(`rtmp://127.0.0.1:${port}/live/CAM-P1?token=***`);
    } finally {
      server.kill('SIGKILL');
      await fleet.stop();
    }
  });

  it('push to a server that is not there: the status names the error without the publish credential', async () => {
    const port = await freePort();
    const fleet = createCameraFleet({ cameras: [{ id: 'CAM-P2', secret: 'publish-secret-1', kitchenName: 'K', area: 'A', mode: 'push' }], rtmpUrl: `rtmp://127.0.0.1:${port}/live/{camera}?token={secret}`, rtspPort: 0, picture });
    await fleet.start();
    try {
      await waitFor(() => fleet.status()[0]?.lastError, { timeoutMs: 20_000, intervalMs: 100, what: 'the camera error' });
      const { lastError } = fleet.status()[0]!;
      expect(lastError).toMatch(/Connection refused/);
      expect(lastError).toContain('token=***');
      expect(lastError).not.toContain('publish-secret-1');
    } finally {
      await fleet.stop();
    }
  });
});

/** Whether a socket listens on the port (from /proc/net/tcp, without connecting to it). */
async function listening(port: number): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const table = await readFile('/proc/net/tcp', 'utf8');
  return table.split('\n').some((line) => {
    const cols = line.trim().split(/\s+/);
    return cols[1]?.endsWith(hex) === true && cols[3] === '0A';
  });
}
