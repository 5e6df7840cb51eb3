/** What one soak run is: its length, its fleet, and where its logs go. Parsed from `npm run soak -- …`. */
export interface SoakOptions {
  minutes: number;
  devices: number;
  cameras: number;
  players: number;
  /** telemetry interval of every terminal, seconds (10 in the field) */
  intervalS: number;
  /** players must play again within this many seconds after the streams restart */
  playersBackS: number;
  /** keep the work folder (logs, data) after the run */
  keep: boolean;
  /** run each service from source through tsx instead of <svc>/dist/main.js */
  fromSource: boolean;
  /** skip the cameras, players and the streams restart (CI-sized runs on a busy machine) */
  noVideo: boolean;
}

export const DEFAULTS: SoakOptions = { minutes: 20, devices: 5000, cameras: 4, players: 4, intervalS: 10, playersBackS: 20, keep: false, fromSource: false, noVideo: false };

const USAGE = `usage: npm run soak -- [--minutes N] [--devices N] [--cameras N] [--players N] [--interval S] [--players-back S] [--keep] [--from-source] [--no-video]
  the whole distributed platform on this machine under load with a fault schedule; prints a table, exits 1 when a check fails (soak/README.md)`;

export function parseSoakArgs(argv: string[]): SoakOptions {
  const o = { ...DEFAULTS };
  const num = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n < min) throw new Error(`${flag} needs a number ≥ ${min} (got ${v ?? 'nothing'})\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--minutes') o.minutes = num(a, argv[++i], 0.5);
    else if (a === '--devices') o.devices = Math.round(num(a, argv[++i], 10));
    else if (a === '--cameras') o.cameras = Math.round(num(a, argv[++i], 0));
    else if (a === '--players') o.players = Math.round(num(a, argv[++i], 0));
    else if (a === '--interval') o.intervalS = num(a, argv[++i], 1);
    else if (a === '--players-back') o.playersBackS = num(a, argv[++i], 1);
    else if (a === '--keep') o.keep = true;
    else if (a === '--from-source') o.fromSource = true;
    else if (a === '--no-video') o.noVideo = true;
    else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (o.noVideo) o.cameras = o.players = 0;
  return o;
}
