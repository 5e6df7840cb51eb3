import { UserError } from '@tianwang/core/errors';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { MISBEHAVIOURS, ELEVATOR_FAULTS, BOILER_FAULTS, closestName } from '../models/fault-names.js';
import { parseDuration } from './duration.js';

/**
 * Scenario files: "at time T, device D gets fault F for S seconds", in YAML or JSON (JSON is YAML too).
 *
 *   name: trapped-demo
 *   duration: 3m            # optional: the run ends here
 *   steps:
 *     - at: 10s
 *       device: elevator#1  # a device id, or kind#N = the N-th device of that kind in the fleet
 *       fault: trapped
 *       for: 60s            # optional: otherwise until a `clear` step or the end
 *     - at: 2m
 *       device: elevator#1
 *       clear: trapped
 *
 * Errors name the file, line and column, and what would have been right.
 */
export interface ScenarioStep {
  atMs: number;
  device: string;
  fault: string;
  action: 'inject' | 'clear';
  durationMs?: number;
  /** "file:line:col" of the step, for later errors (unknown device in this fleet) */
  where: string;
}

export interface Scenario {
  name: string;
  description?: string;
  durationMs?: number;
  steps: ScenarioStep[];
}

export class ScenarioError extends UserError {
  constructor(message: string) {
    super('TW_SCENARIO_INVALID', message);
  }
}

const ALL_FAULTS = [...new Set([...Object.keys(ELEVATOR_FAULTS), ...Object.keys(BOILER_FAULTS), ...MISBEHAVIOURS])];
const STEP_KEYS = ['at', 'device', 'fault', 'clear', 'for', 'seconds', 'note'];

export function parseScenario(text: string, file = 'scenario'): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (node: Node | null | undefined): string => {
    if (!node?.range) return file;
    const { line, col } = lineCounter.linePos(node.range[0]);
    return `${file}:${line}:${col}`;
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = lineCounter.linePos(firstError.pos[0]);
    throw new ScenarioError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML/JSON: ${firstError.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) throw new ScenarioError(`${at(root as Node)}: a scenario is a mapping with "steps" (and optionally "name", "duration")`);
  for (const pair of root.items) {
    const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
    if (!['name', 'description', 'duration', 'steps'].includes(key)) {
      throw new ScenarioError(`${at(pair.key as Node)}: unknown key "${key}" (expected name, description, duration, steps)`);
    }
  }
  const stepsNode = root.get('steps', true) as Node | undefined;
  if (!isSeq(stepsNode) || stepsNode.items.length === 0) throw new ScenarioError(`${at(stepsNode ?? root)}: "steps" must be a non-empty list`);

  const scenario: Scenario = { name: String(root.get('name') ?? file), steps: [] };
  const description = root.get('description');
  if (description !== undefined) scenario.description = String(description);
  if (root.has('duration')) {
    const d = parseDuration(root.get('duration'));
    if (d === undefined) throw new ScenarioError(`${at(root.get('duration', true) as Node)}: duration "${String(root.get('duration'))}" is not a time like 90s, 2m, 1m30s`);
    scenario.durationMs = d;
  }

  stepsNode.items.forEach((item, i) => {
    const where = at(item as Node);
    const label = `${where}: steps[${i}]`;
    if (!isMap(item)) throw new ScenarioError(`${label} must be a mapping like {at: 10s, device: elevator#1, fault: trapped, for: 60s}`);
    const step = item.toJSON() as Record<string, unknown>;
    for (const k of Object.keys(step)) {
      if (!STEP_KEYS.includes(k)) throw new ScenarioError(`${at(item.get(k, true) as Node) || where}: steps[${i}]: unknown key "${k}"${hintFor(k, STEP_KEYS)} (expected ${STEP_KEYS.join(', ')})`);
    }
    const atMs = parseDuration(step.at);
    if (atMs === undefined) throw new ScenarioError(`${label}.at: "${String(step.at ?? '')}" is not a time like 10s, 2m, 1m30s (required)`);
    if (typeof step.device !== 'string' || !step.device) throw new ScenarioError(`${label}.device is required: a device id or kind#N (e.g. elevator#1)`);
    const hasFault = step.fault !== undefined;
    const hasClear = step.clear !== undefined;
    if (hasFault === hasClear) throw new ScenarioError(`${label}: give exactly one of "fault" (start one) or "clear" (end one)`);
    const fault = String(hasFault ? step.fault : step.clear);
    if (!ALL_FAULTS.includes(fault)) {
      throw new ScenarioError(`${label}.${hasFault ? 'fault' : 'clear'}: unknown fault "${fault}"${hintFor(fault, ALL_FAULTS)}; known: ${ALL_FAULTS.join(', ')}`);
    }
    const rawFor = step.for ?? step.seconds;
    let durationMs: number | undefined;
    if (rawFor !== undefined) {
      if (hasClear) throw new ScenarioError(`${label}: "for" belongs to a fault step, not a clear step`);
      durationMs = parseDuration(rawFor);
      if (!durationMs) throw new ScenarioError(`${label}.for: "${String(rawFor)}" is not a positive time like 60s or 2m`);
    }
    scenario.steps.push({ atMs, device: step.device, fault, action: hasFault ? 'inject' : 'clear', ...(durationMs ? { durationMs } : {}), where });
  });
  scenario.steps.sort((a, b) => a.atMs - b.atMs);
  return scenario;
}

function hintFor(name: string, candidates: readonly string[]): string {
  const c = closestName(name, candidates);
  return c ? ` (did you mean "${c}"?)` : '';
}
