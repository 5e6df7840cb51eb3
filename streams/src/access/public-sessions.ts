import type { Counter } from 'prom-client';
import type { PlayGrant } from './play-signing.js';

export type PlayProtocol = 'http-flv' | 'ws-flv' | 'rtmp';

interface Held {
  camera: string;
  protocol: PlayProtocol;
  end: (why: string) => void;
  timer: NodeJS.Timeout;
}

/**
 * The dashboard's public rules on sessions that outlive their start. A play signature is checked when a session
 * starts; HTTP-FLV, WS-FLV and RTMP then stream for as long as the connection lasts (HLS asks again for every
 * playlist). So the relay ends a public (consumer) session itself, whatever the client (mpegts.js, ffplay, a script):
 * - at its grant's expiry: the consumer's per-viewer time limit (the dashboard's TW_PUBLIC_VIEW_S, or closing time,
 *   whichever is first; docs/dashboard.md); a fresh grant, which only the dashboard gives, opens a new session;
 * - when its camera stops being public (disabled, or its kitchen's public viewing switched off), seen at the next
 *   camera refresh (`recheck`), instead of playing on until the grant ends.
 * An inspector's session is not held: the video wall renews its audited viewing without reconnecting (docs/streams.md).
 */
export class PublicSessions {
  private readonly held = new Set<Held>();

  constructor(
    private readonly isPublic: (cameraId: string) => boolean,
    /** tw_streams_play_ended_total{protocol, reason} */
    private readonly ended: Counter<'protocol' | 'reason'>,
  ) {}

  /** Ends the session (`end`, with a sentence for the client) when the public rules say so; returns what lets it go once it closed by itself. */
  hold(grant: PlayGrant, protocol: PlayProtocol, end: (why: string) => void, nowMs = Date.now()): () => void {
    if (grant.aud !== 'p') return () => {};
    // verifyPlay accepts the URL through the second `exp`: the session ends just after the last moment it was valid
    const timer = setTimeout(() => this.end(h, 'expired'), Math.max(0, grant.exp * 1000 + 1 - nowMs));
    timer.unref();
    const h: Held = { camera: grant.camera, protocol, end, timer };
    this.held.add(h);
    return () => {
      clearTimeout(h.timer);
      this.held.delete(h);
    };
  }

  /** After the cameras were re-read: ends the sessions of cameras that are no longer public. */
  recheck(): void {
    for (const h of [...this.held]) if (!this.isPublic(h.camera)) this.end(h, 'withdrawn');
  }

  private end(h: Held, reason: 'expired' | 'withdrawn'): void {
    if (!this.held.delete(h)) return;
    clearTimeout(h.timer);
    this.ended.inc({ protocol: h.protocol, reason });
    h.end(reason === 'expired' ? 'play URL expired' : 'camera no longer public');
  }
}
