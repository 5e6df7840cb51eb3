/**
 * The terminal's debounce: a condition must hold for `confirmMs` before the fault is raised, and be gone
 * for `clearMs` before it is cleared. Real terminals do this so a door bouncing at a landing or a level
 * swell does not page anyone (domain brief: "a terminal confirms a fault for a few seconds").
 * Pure: feed it the current conditions and the simulated clock, it answers what to report.
 */
export interface ConfirmerOptions {
  confirmMs: number;
  clearMs: number;
  /** per-fault clear delays, e.g. overspeed holds longer so each trip does not raise a new event */
  clearMsFor?: Record<string, number>;
}

export interface FaultTransition {
  fault: string;
  state: 'raised' | 'cleared';
  /** simulated ms when the condition first held (raised) or first went away (cleared) */
  sinceMs: number;
}

interface Track {
  /** condition currently observed */
  present: boolean;
  /** when the observation last changed */
  changedMs: number;
  /** reported state */
  raised: boolean;
}

export class FaultConfirmer {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly options: ConfirmerOptions) {}

  update(conditions: ReadonlySet<string>, nowMs: number): FaultTransition[] {
    const out: FaultTransition[] = [];
    for (const fault of conditions) {
      if (!this.tracks.has(fault)) this.tracks.set(fault, { present: false, changedMs: nowMs, raised: false });
    }
    for (const [fault, t] of this.tracks) {
      const present = conditions.has(fault);
      if (present !== t.present) {
        t.present = present;
        t.changedMs = nowMs;
      }
      const held = nowMs - t.changedMs;
      if (present && !t.raised && held >= this.options.confirmMs) {
        t.raised = true;
        out.push({ fault, state: 'raised', sinceMs: t.changedMs });
      } else if (!present && t.raised && held >= (this.options.clearMsFor?.[fault] ?? this.options.clearMs)) {
        t.raised = false;
        out.push({ fault, state: 'cleared', sinceMs: t.changedMs });
      }
      if (!present && !t.raised) this.tracks.delete(fault);
    }
    return out;
  }

  /** faults currently reported as raised */
  raised(): string[] {
    return [...this.tracks].filter(([, t]) => t.raised).map(([f]) => f);
  }
}
