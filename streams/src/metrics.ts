import { Counter, Gauge } from 'prom-client';
import { createMetricsRegistry, type Registry } from '@tianwang/core/metrics';
import { liveChildren } from './ffmpeg/ffmpeg-supervisor.js';

/** Prometheus metrics of one relay: publishers, viewers, bytes, ffmpeg children and restarts, refusals. */
export interface StreamsMetrics {
  registry: Registry;
  ffmpegRestarts: Counter<'role'>;
  publishRefused: Counter<'reason'>;
  playRefused: Counter<'status'>;
  rtmpClosed: Counter<'cause'>;
  playEnded: Counter<'protocol' | 'reason'>;
  snapshots: Counter;
}

export function createStreamsMetrics(counts: () => { publishers: number; viewers: number; inBytes: number; outBytes: number }): StreamsMetrics {
  const registry = createMetricsRegistry('streams');
  new Gauge({ name: 'tw_streams_publishers', help: 'Streams being published now (cameras and RTSP pulls)', registers: [registry], collect() { this.set(counts().publishers); } });
  new Gauge({ name: 'tw_streams_viewers', help: 'Playback sessions now (players and internal readers)', registers: [registry], collect() { this.set(counts().viewers); } });
  new Gauge({ name: 'tw_streams_in_bytes', help: 'Bytes received from publishers since start', registers: [registry], collect() { this.set(counts().inBytes); } });
  new Gauge({ name: 'tw_streams_out_bytes', help: 'Bytes sent to viewers since start', registers: [registry], collect() { this.set(counts().outBytes); } });
  new Gauge({ name: 'tw_streams_ffmpeg_children', help: 'ffmpeg child processes running now', registers: [registry], collect() { this.set(liveChildren()); } });
  return {
    registry,
    ffmpegRestarts: new Counter({ name: 'tw_streams_ffmpeg_restarts_total', help: 'ffmpeg children restarted after an unexpected exit', labelNames: ['role'], registers: [registry] }),
    publishRefused: new Counter({ name: 'tw_streams_publish_refused_total', help: 'Publish attempts refused: reason unauthorized (unknown camera, wrong secret …) or busy (the stream already has a publisher)', labelNames: ['reason'], registers: [registry] }),
    playRefused: new Counter({ name: 'tw_streams_play_refused_total', help: 'Play requests refused (HTTP-FLV, WS-FLV, HLS, RTMP), by the status answered', labelNames: ['status'], registers: [registry] }),
    rtmpClosed: new Counter({ name: 'tw_streams_rtmp_closed_total', help: 'RTMP connections cut by the guard: cause protocol (malformed), limit (buffers, chunk streams), timeout (no publish/play in time), overload (too many waiting)', labelNames: ['cause'], registers: [registry] }),
    playEnded: new Counter({ name: 'tw_streams_play_ended_total', help: 'Public play sessions the relay ended: reason expired (the grant’s end, the per-viewer time limit) or withdrawn (camera disabled or no longer public); protocol http-flv, ws-flv or rtmp', labelNames: ['protocol', 'reason'], registers: [registry] }),
    snapshots: new Counter({ name: 'tw_streams_snapshots_total', help: 'Snapshots taken', registers: [registry] }),
  };
}
