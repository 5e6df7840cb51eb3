import { AMF, Flv, type NmsBroadcast, type NmsPacket } from './nms-internals.js';

/**
 * What the relay reads from every published packet on its way through node-media-server's broadcast, and
 * what it fixes in the FLV start NMS sends a new player:
 * - frame counter and last frame time (health), byte count (bitrate);
 * - the last few keyframes (references to NMS's own FLV copies, no new copies): snapshots and health probes
 *   decode these, and a snapshot reports the time its keyframe arrived;
 * - metadata as FLV players expect it: an RTMP publisher sends `@setDataFrame onMetaData {…}`, an
 *   instruction to the server; passed on as is, ffmpeg/ffprobe/ffplay read it as a data stream they cannot
 *   identify and probe 5 MB for it (38 s at 1 Mbit/s). Players get `onMetaData {…}` (what nginx-rtmp sends);
 * - an honest FLV header: NMS's always announced audio, and ffmpeg then waits for an audio stream that never
 *   comes (90 s of stream for FLV). Cameras here are mostly video only: audio is announced once seen;
 * - for a video-only stream, the metadata goes after the video sequence header and says
 *   `audiocodecid: {}` (an empty object: the convention ffmpeg's FLV reader takes for "no audio", once it
 *   knows the video stream). Without it ffmpeg keeps probing for streams that could still appear, 5 s of
 *   stream, whatever it already knows. With it a player starts once it has its ~40 frames of H.264.
 * One tap per broadcast (installed once, whatever the number of publishes on it); stats start anew per publish.
 */
export interface StreamStats {
  /** the last few keyframes (FLV tags), at least a second apart, with the time each arrived */
  keyframes: { at: number; tag: Buffer }[];
  frames: number;
  lastFrameAt: number;
  bytes: number;
  since: number;
  hasAudio: boolean;
}

interface Start {
  /** NMS's metadata and video sequence header tags as it made them, and our video-only metadata tag */
  meta: Buffer | null;
  videoHeader: Buffer | null;
  videoOnlyMeta: Buffer | null;
}

const SET_DATA_FRAME = Buffer.from([0x02, 0x00, 0x0d, ...Buffer.from('@setDataFrame', 'latin1')]);
const VIDEO_ONLY_HEADER = Flv.createHeader(false, true);
const AUDIO_VIDEO_HEADER = Flv.createHeader(true, true);
const AUDIO_KEYS = ['audiocodecid', 'audiodatarate', 'audiosamplerate', 'audiosamplesize', 'stereo'];
const KEYFRAMES_KEPT = 3;

/** `@setDataFrame onMetaData {…}` → `onMetaData {…}`, in place (the packet's data is NMS's parse buffer). */
export function toOnMetaData(p: NmsPacket): void {
  if (p.flags === 5 && p.size > SET_DATA_FRAME.length && p.data.subarray(0, SET_DATA_FRAME.length).equals(SET_DATA_FRAME)) {
    p.data = p.data.subarray(SET_DATA_FRAME.length);
    p.size -= SET_DATA_FRAME.length;
  }
}

/** The FLV script tag of a video-only stream: its metadata with `audiocodecid: {}`; null if it does not decode. */
export function videoOnlyMetadataTag(p: NmsPacket): Buffer | null {
  try {
    const { cmd, dataObj } = AMF.decodeAmf0Data(p.data.subarray(0, p.size));
    if (cmd !== 'onMetaData' || typeof dataObj !== 'object' || dataObj === null) return null;
    const fields = Object.fromEntries(Object.entries(dataObj).filter(([k]) => !AUDIO_KEYS.includes(k)));
    const data = AMF.encodeAmf0Data({ cmd: 'onMetaData', dataObj: { ...fields, audiocodecid: {} } });
    return Flv.createMessage({ codec_type: 18, size: data.length, dts: 0, data });
  } catch {
    return null;
  }
}

export class BroadcastTaps {
  private readonly stats = new Map<string, StreamStats>();
  private readonly starts = new Map<string, Start>();
  private readonly tapped = new WeakSet<NmsBroadcast>();

  /** A publish starts on `b`: fresh stats, and the tap installed if it is not there yet. */
  begin(b: NmsBroadcast): void {
    this.stats.set(b.streamPath, { keyframes: [], frames: 0, lastFrameAt: 0, bytes: 0, since: Date.now(), hasAudio: false });
    this.starts.set(b.streamPath, { meta: null, videoHeader: null, videoOnlyMeta: null });
    b.flvHeader = VIDEO_ONLY_HEADER;
    if (this.tapped.has(b)) return;
    this.tapped.add(b);
    const forward = b.broadcastMessage;
    b.broadcastMessage = (p) => {
      const s = this.stats.get(b.streamPath);
      const start = this.starts.get(b.streamPath);
      if (!s || !start) return forward(p);
      const now = Date.now();
      toOnMetaData(p);
      if (p.codec_type === 9 && (p.flags === 3 || p.flags === 4)) {
        s.frames++;
        s.lastFrameAt = now;
      }
      s.bytes += p.size;
      forward(p);
      if (p.flags === 5 || p.flags === 2 || (p.codec_type === 8 && !s.hasAudio)) {
        if (p.flags === 5) {
          start.meta = b.flvMetaData;
          start.videoOnlyMeta = videoOnlyMetadataTag(p);
        }
        if (p.flags === 2) start.videoHeader = b.flvVideoHeader;
        if (p.codec_type === 8 || (p.flags === 5 && (b.publisher as { audioCodec?: unknown } | null)?.audioCodec)) s.hasAudio = true;
        this.arrange(b, s, start);
      }
      // the broadcast just started a new GOP cache with this keyframe's FLV tag: keep a reference, no copy
      if (p.codec_type === 9 && p.flags === 3 && now - (s.keyframes.at(-1)?.at ?? 0) >= 900) {
        const tag = b.flvGopCache?.values().next().value;
        if (tag) {
          s.keyframes.push({ at: now, tag });
          if (s.keyframes.length > KEYFRAMES_KEPT) s.keyframes.shift();
        }
      }
    };
  }

  /** What NMS sends a new FLV player first (header, metadata, sequence headers), for what the stream has. */
  private arrange(b: NmsBroadcast, s: StreamStats, start: Start): void {
    if (s.hasAudio || !start.videoOnlyMeta) {
      b.flvHeader = s.hasAudio ? AUDIO_VIDEO_HEADER : VIDEO_ONLY_HEADER;
      b.flvMetaData = start.meta;
      b.flvVideoHeader = start.videoHeader;
      return;
    }
    b.flvHeader = VIDEO_ONLY_HEADER;
    b.flvMetaData = null;
    b.flvVideoHeader = start.videoHeader ? Buffer.concat([start.videoHeader, start.videoOnlyMeta]) : null;
  }

  get(streamPath: string): StreamStats | undefined {
    return this.stats.get(streamPath);
  }

  /** A player joins a broadcast nobody publishes yet (a pull camera about to be pulled): no audio announced. */
  beforePlay(b: NmsBroadcast): void {
    if (!this.stats.has(b.streamPath)) b.flvHeader = VIDEO_ONLY_HEADER;
  }

  end(streamPath: string): void {
    this.stats.delete(streamPath);
    this.starts.delete(streamPath);
  }
}
