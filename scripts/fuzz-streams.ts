// npm run fuzz:streams -- [--minutes N] [--seed S] [--concurrency C]
// Fuzzes a kitchen camera relay (its own process, with a live camera and a player) with random and mutated
// RTMP, HTTP and WebSocket connections, then prints connections tried, crashes (must be 0), the relay's RSS
// before/after/peak and the player's longest wait for a frame. Exits 1 on a crash or a stalled player.
import { fuzzRelay } from '../streams/test/helpers/fuzz-session.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
};
const minutes = arg('minutes', 1);
const seed = arg('seed', Date.now() & 0x7fffffff);
const concurrency = arg('concurrency', 8);
if (!(minutes > 0) || !Number.isInteger(seed) || !(concurrency > 0)) {
  process.stderr.write('usage: npm run fuzz:streams -- [--minutes N] [--seed S] [--concurrency C]\n');
  process.exit(2);
}
process.stdout.write(`fuzzing the stream relay for ${minutes} min, seed ${seed}, ${concurrency} connections at a time\n`);
const report = await fuzzRelay({
  durationMs: minutes * 60_000,
  concurrency,
  seed,
  onProgress: (r) => {
    if (r.seconds % 10 === 0) process.stdout.write(`  ${r.seconds} s: ${r.connections.rtmp + r.connections.http} connections, ${r.crashes} crashes, peak RSS ${r.rssPeakMb} MB\n`);
  },
});
const lines = [
  `seconds            ${report.seconds}`,
  `connections tried  ${report.connections.rtmp + report.connections.http} (RTMP ${report.connections.rtmp}, HTTP/WebSocket ${report.connections.http})`,
  `crashes            ${report.crashes}`,
  `relay RSS          before ${report.rssBeforeMb} MB, after ${report.rssAfterMb} MB, peak ${report.rssPeakMb} MB`,
  `player             ${report.playerFrames} frames, longest wait ${report.playerMaxGapMs} ms`,
  `seed               ${report.seed}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
for (const tail of report.crashTails) process.stdout.write(`--- crash ---\n${tail}\n`);
process.exit(report.crashes > 0 || report.playerMaxGapMs >= 5000 ? 1 : 0);
