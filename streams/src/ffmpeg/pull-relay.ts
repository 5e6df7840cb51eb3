import { deriveKey, SecretBox } from '@tianwang/core/crypto';
import type { Camera } from '@tianwang/core/registry';
import type { Logger } from '@tianwang/core/log';
import { FfmpegSupervisor } from './ffmpeg-supervisor.js';
import { secretsOf } from '../redact.js';

/**
 * RTSP (pull) cameras are pulled on demand: the first viewer of the camera's stream (a player, the HLS
 * packager, the recorder, a snapshot) starts an ffmpeg that reads the RTSP source and publishes it to the
 * relay over loopback RTMP; when the last one has left for `idleMs`, it is stopped. The source URL (which
 * may hold the camera's password) is opened from its sealed form only here and given to ffmpeg as an
 * argument: it never leaves the relay host, and is never logged (ffmpeg's messages are redacted, redact.ts).
 */
interface Pull {
  refs: number;
  supervisor: FfmpegSupervisor;
  idleTimer?: NodeJS.Timeout;
}

export class PullRelays {
  private readonly pulls = new Map<string, Pull>();
  private readonly box: SecretBox;

  constructor(
    private readonly opts: { masterSecret: string; idleMs: number; publishUrl: (cameraId: string) => string; onRestart?: () => void },
    private readonly log: Logger,
  ) {
    this.box = new SecretBox(deriveKey(opts.masterSecret, 'camera-url'));
  }

  /** Someone started watching a pull camera. Starts the pull if it is not running. */
  acquire(camera: Camera): void {
    let pull = this.pulls.get(camera.id);
    if (!pull) {
      if (!camera.sourceUrlSealed) return;
      let source: string;
      try {
        source = this.box.open(camera.sourceUrlSealed);
      } catch (err) {
        this.log.error({ err, camera: camera.id }, 'cannot open the sealed source URL (was TW_SECRET_KEY changed?)');
        return;
      }
      const target = this.opts.publishUrl(camera.id);
      const input = source.startsWith('rtsp') ? ['-rtsp_transport', 'tcp', '-timeout', '5000000'] : [];
      const supervisor = new FfmpegSupervisor(
        {
          name: `pull:${camera.id}`,
          // -c copy: no transcoding, a pull costs little CPU. Audio is dropped (kitchen cameras: picture only).
          args: () => [...input, '-i', source, '-map', '0:v:0', '-c', 'copy', '-f', 'flv', target],
          maxBackoffMs: 15_000,
          // ffmpeg repeats its input URL in its errors: the supervisor blanks these out of what it logs
          secrets: secretsOf(source),
        },
        this.log,
      );
      supervisor.on('restart', () => this.opts.onRestart?.());
      pull = { refs: 0, supervisor };
      this.pulls.set(camera.id, pull);
      supervisor.start();
      this.log.info({ camera: camera.id }, 'rtsp pull started');
    }
    pull.refs++;
    clearTimeout(pull.idleTimer);
    pull.idleTimer = undefined;
  }

  release(cameraId: string): void {
    const pull = this.pulls.get(cameraId);
    if (!pull) return;
    pull.refs = Math.max(0, pull.refs - 1);
    if (pull.refs > 0 || pull.idleTimer) return;
    pull.idleTimer = setTimeout(() => {
      if (pull.refs > 0) return;
      this.pulls.delete(cameraId);
      this.log.info({ camera: cameraId }, 'rtsp pull stopped (idle)');
      void pull.supervisor.stop();
    }, this.opts.idleMs);
  }

  isPulling(cameraId: string): boolean {
    return this.pulls.has(cameraId);
  }

  supervisor(cameraId: string): FfmpegSupervisor | undefined {
    return this.pulls.get(cameraId)?.supervisor;
  }

  async stop(): Promise<void> {
    const all = [...this.pulls.values()];
    this.pulls.clear();
    await Promise.all(all.map((p) => (clearTimeout(p.idleTimer), p.supervisor.stop())));
  }
}
