import { createInterface, type Interface } from 'node:readline';
import { TianwangError } from '@tianwang/core/errors';
import { faultsFor } from '../models/fault-names.js';
import type { Simulator } from '../simulator.js';
import { statusLine } from '../stats.js';

const HELP = `commands:
  inject <device> <fault> [seconds]   start a fault (or misbehaviour), e.g. inject SIM-EL-000001 trapped 60
  clear <device> <fault>              end it
  devices                             list devices with their faults
  faults <device>                     the faults this device can have
  stats                               the status line
  quit                                stop the fleet (clean shutdown)`;

/** The interactive console when stdin is a terminal: the same operations as the HTTP control API. */
export function startPrompt(sim: Simulator, onQuit: () => void): Interface {
  const rl = createInterface({ input: process.stdin, output: process.stderr, prompt: 'sim> ' });
  process.stderr.write(`type "help" for commands\n`);
  rl.prompt();
  rl.on('line', (line) => {
    const [cmd, ...args] = line.trim().split(/\s+/);
    try {
      switch (cmd) {
        case '':
          break;
        case 'help':
          process.stderr.write(`${HELP}\n`);
          break;
        case 'inject':
          if (args.length < 2) throw new Error('usage: inject <device> <fault> [seconds]');
          sim.injectFault(args[0]!, args[1]!, args[2] ? Number(args[2]) : undefined);
          process.stderr.write(`injected ${args[1]} on ${args[0]}\n`);
          break;
        case 'clear':
          if (args.length < 2) throw new Error('usage: clear <device> <fault>');
          sim.clearFault(args[0]!, args[1]!);
          process.stderr.write(`cleared ${args[1]} on ${args[0]}\n`);
          break;
        case 'devices':
          for (const d of sim.devices()) {
            process.stderr.write(`${d.id.padEnd(24)} ${d.kind.padEnd(8)} ${d.connected ? 'online ' : 'offline'} ${d.faults.join(',') || '-'}${d.reported.length ? ` reported: ${d.reported.join(',')}` : ''}\n`);
          }
          break;
        case 'faults':
          process.stderr.write(`${faultsFor(sim.device(args[0] ?? '').kind).join(', ')}\n`);
          break;
        case 'stats':
          process.stderr.write(`${statusLine(sim.sampleStats())}\n`);
          break;
        case 'quit':
        case 'exit':
          onQuit();
          return;
        default:
          process.stderr.write(`unknown command "${cmd}"; type "help"\n`);
      }
    } catch (err) {
      process.stderr.write(`${err instanceof TianwangError || err instanceof Error ? err.message : String(err)}\n`);
    }
    rl.prompt();
  });
  rl.on('close', onQuit);
  return rl;
}
