import { existsSync } from 'node:fs';

/** One simulated kitchen camera. */
export interface CameraSpec {
  id: string;
  /** publish credential (push) or RTSP password (pull) */
  secret: string;
  kitchenName: string;
  /** camera area shown on the picture, e.g. 烹饪区 */
  area: string;
  mode: 'push' | 'pull';
}

export interface PictureOptions {
  width: number;
  height: number;
  fps: number;
  /** H.264 bitrate, e.g. "400k" */
  bitrate: string;
}

export const DEFAULT_PICTURE: PictureOptions = { width: 640, height: 360, fps: 15, bitrate: '400k' };

/** Fonts Debian ships: a CJK one for kitchen names (fonts-wqy-microhei), DejaVu for the clock. */
const CJK_FONTS = ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc'];
const MONO_FONTS = ['/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'];

export function findFont(candidates: readonly string[]): string | undefined {
  return candidates.find((f) => existsSync(f));
}
export const cjkFont = () => findFont(CJK_FONTS) ?? findFont(MONO_FONTS);
export const monoFont = () => findFont(MONO_FONTS) ?? findFont(CJK_FONTS);

/** Fills `{camera}`, `{secret}`, `{kitchen}` in a URL template (values URL-encoded). */
export function fillTemplate(template: string, cam: CameraSpec): string {
  return template
    .replaceAll('{camera}', encodeURIComponent(cam.id))
    .replaceAll('{secret}', encodeURIComponent(cam.secret))
    .replaceAll('{kitchen}', encodeURIComponent(cam.kitchenName));
}

/**
 * The clock drawn on the picture: date from the wall clock, time with milliseconds from the frame's pts
 * plus the local time of day when ffmpeg started (-re paces pts in real time). Reading it off a player
 * next to a real clock gives the glass-to-glass delay.
 */
export function clockText(startMs: number): string {
  const d = new Date(startMs);
  const sinceMidnight = (startMs - new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()) / 1000;
  return `%{localtime:%Y-%m-%d} %{pts:hms:${sinceMidnight.toFixed(3)}:24HH}`;
}

/**
 * ffmpeg input and filter arguments: a moving test picture with the kitchen name, the area and the
 * camera id on top and the clock below. Texts come from files (textfile=) so no name needs escaping.
 */
export function pictureArgs(files: { title: string; clock: string }, p: PictureOptions): string[] {
  const box = 'fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6';
  const size = Math.max(14, Math.round(p.height / 14));
  const title = `drawtext=fontfile=${cjkFont()}:textfile=${files.title}:x=16:y=16:fontsize=${size}:${box}`;
  const clock = `drawtext=fontfile=${monoFont()}:textfile=${files.clock}:x=16:y=h-${size * 2}:fontsize=${size}:${box}`;
  return [
    ...['-re', '-f', 'lavfi', '-i', `testsrc2=size=${p.width}x${p.height}:rate=${p.fps}`],
    ...['-vf', `${title},${clock}`],
    // zerolatency + a 2 s GOP: a player that joins late gets a picture quickly
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p'],
    ...['-g', String(p.fps * 2), '-b:v', p.bitrate, '-maxrate', p.bitrate, '-bufsize', p.bitrate],
  ];
}

export function pushArgs(url: string): string[] {
  return ['-f', 'flv', url];
}

/** pull cameras: RTP to a local UDP port; our small RTSP server relays it (ffmpeg cannot serve RTSP) */
export function rtpArgs(udpPort: number, sdpFile: string): string[] {
  // global headers put SPS/PPS into the SDP (sprop-parameter-sets), as IP cameras do: a puller that writes
  // FLV needs them before the first frame
  return ['-flags:v', '+global_header', '-f', 'rtp', '-sdp_file', sdpFile, `rtp://127.0.0.1:${udpPort}?pkt_size=1200`];
}
