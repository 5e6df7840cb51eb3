import { parseSoakArgs } from './options.js';
import { renderReport } from './report.js';
import { runSoak } from './run-soak.js';

// npm run soak -- --minutes N [--devices N]: the whole distributed platform under load and faults (soak/README.md)
let options;
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const stamp = () => new Date().toISOString().slice(11, 19);
const { report, ok, dir } = await runSoak(options, (line) => console.error(`${stamp()} soak: ${line}`));
console.log(renderReport(report));
console.error(ok ? 'soak: every check passed' : 'soak: FAILED (see the table)');
if (options.keep) console.error(`soak: logs and data kept in ${dir}`);
process.exit(ok ? 0 : 1);
