/**
 * One batch's trip through the shadow script: the calls are queued on the batch's pipeline (with its dead letters),
 * and with store by exception their answers say which telemetry fields of every message to store. A call the
 * order gate holds back (store-gate.ts) is sent again once the batches before it are decided, after this
 * worker's own earlier batches. A call that fails (Redis is up but the script errs) does not hold telemetry back:
 * its messages are stored whole (err on the side of storing).
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from '@tianwang/core/log';
import { parseShadowReply } from './shadow-script.js';
import type { IngestMetrics } from './metrics.js';
import type { GateRange, ShadowCall, ShadowWriter } from './shadow-writer.js';
import type { DecisionOrder } from './store-gate.js';
import type { CompiledPolicy } from './store-policy.js';
import type { Validated } from './validator.js';

type Ok = Extract<Validated, { ok: true }>;

export interface Chunk {
  valid: Ok[];
  /** per valid message, its entry id and index in that entry */
  ids: string[];
  indexes: number[];
  range: GateRange;
}

export interface Restore {
  v: Ok;
  mask: number;
  values: Record<string, unknown>;
}

export interface Decisions {
  /** per decided telemetry message: the fields to store (absent: every field, no decision was made) */
  masks: Map<Ok, number>;
  restores: Restore[];
  fieldsReceived: number;
}

export interface PassDeps {
  redis: Redis;
  shadow: ShadowWriter;
  policy?: CompiledPolicy;
  order?: DecisionOrder;
  log: Logger;
  metrics: IngestMetrics;
}

/** Queues the shadow calls of `chunks` on `pipe`; `finish` runs the pipeline and resolves the decisions. */
export function queueShadow(pipe: ChainableCommander, chunks: Chunk[], d: PassDeps): { finish(run: () => Promise<[Error | null, unknown][]>): Promise<Decisions> } {
  const gated = d.policy !== undefined && d.order !== undefined;
  const turn = gated ? d.order!.enter() : undefined;
  const started = Date.now();
  const calls: { call: ShadowCall; at: number }[] = [];
  try {
    for (const c of chunks) {
      const call = d.shadow.queue(pipe, c.valid, gated ? c.range : undefined, c);
      if (!call) continue;
      calls.push({ call, at: pipe.length });
      call.send(pipe);
    }
  } catch (err) {
    turn?.done();
    throw err;
  }

  const out: Decisions = { masks: new Map(), restores: [], fieldsReceived: 0 };
  const apply = (call: ShadowCall, reply: { masks: string; restores: string }) => {
    const { decided } = call;
    for (let i = 0; i < decided.length; i++) out.masks.set(decided[i]!, parseInt(reply.masks.slice(i * 4, i * 4 + 4), 16) || 0);
    if (!reply.restores) return;
    for (const r of reply.restores.split(';')) {
      const [ordinal, mask, ...values] = r.split(',');
      const v = decided[Number(ordinal)]!;
      const c = d.policy!.kinds[v.device.kind];
      const m = Number(mask);
      const restored: Record<string, unknown> = {};
      let k = 0;
      for (let j = 0; j < c.fields.length; j++) if (m & (1 << j)) restored[c.fields[j]!.name] = c.decode(j, Number(values[k++]));
      out.restores.push({ v, mask: m, values: restored });
    }
  };

  return {
    async finish(run) {
      try {
        const results = await run();
        let waiting = -1;
        calls.forEach(({ call, at }, i) => {
          out.fieldsReceived += call.fieldsReceived;
          const [err, raw] = results[at] ?? [new Error('no reply')];
          if (err) {
            d.log.warn({ err }, 'shadow update failed; its telemetry is stored whole');
            return;
          }
          const reply = parseShadowReply(raw);
          if (reply.wait) {
            if (waiting < 0) waiting = i;
            return;
          }
          if (waiting < 0) apply(call, reply);
        });
        if (waiting < 0) return out;
        // Our own earlier batches first, then the others': then send this batch's calls again, in order.
        d.metrics.orderWaits.inc();
        await turn!.previous;
        const first = parseShadowReply(results[calls[waiting]!.at]![1]) as { prev: string };
        const inTurn = await d.order!.waitFor(first.prev, started + d.order!.waitMs);
        if (!inTurn) {
          d.metrics.orderForced.inc();
          d.log.warn({ entry: first.prev, waitedMs: Date.now() - started }, 'the batch before this one was not decided in time (its worker died?); deciding anyway');
        }
        const again = d.redis.pipeline();
        const resent = calls.slice(waiting);
        resent.forEach(({ call }, i) => call.send(again, i === 0 ? { prev: first.prev, force: !inTurn } : {}));
        const second = (await again.exec()) ?? [];
        resent.forEach(({ call }, i) => {
          const [err, raw] = second[i] ?? [new Error('no reply')];
          const reply = err ? undefined : parseShadowReply(raw);
          if (reply && !reply.wait) apply(call, reply);
          else d.log.warn({ err }, 'shadow update failed after the order wait; its telemetry is stored whole');
        });
        return out;
      } finally {
        turn?.done();
      }
    },
  };
}
