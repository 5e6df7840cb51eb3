/**
 * Which lines of a batch InfluxDB refused, when it answers 400. influxd writes what it can and refuses the rest
 * (a "partial write"); treating the 400 as a refused batch dropped the refused lines unnoticed and counted the
 * written ones as refused. What influxd 1.x says (seen from influxd 1.6, ingest/test/partial-write.test.ts):
 *   - lines it cannot parse are listed, each as `unable to parse '<line>': <reason>`, joined by newlines; with
 *     the prefix `partial write: ` and a closing ` dropped=0` when the other lines were written, without them
 *     when no line could be parsed (then nothing was written);
 *   - lines it parsed but would not store (a field type conflict, points beyond the retention policy, a series
 *     or tag-value limit) are only counted: `partial write: <reason> dropped=<n>`. The lines are not named, and
 *     lines that also failed to parse are then not mentioned at all.
 * So the listed lines are taken by their text, and when the answer leaves any line's fate unknown, the lines
 * not accounted for are written again in halves until every refused line is found on its own (bisection). This
 * is safe because writing a point again is idempotent (same measurement, tags and time: the same point); it costs
 * about 2·k·log2(n/k) requests for k refused lines among n, and a half whose every line was dropped (`dropped`
 * equals its size) is not split further. Any other server's 400 is handled the same way: exact whatever it says.
 */

export interface Refusal {
  /** position of the line in the batch */
  line: number;
  /** the server's reason */
  reason: string;
}

/** Writes lines; resolves undefined when all were written, the server's message on a 400, and throws otherwise. */
export type WriteAgain = (lines: string[]) => Promise<string | undefined>;

interface Reading {
  /** listed lines (positions in `lines`) and their reasons */
  listed: Map<number, string>;
  /** true when the message accounts for every line not listed: those were written */
  restWritten: boolean;
  /** the message without `partial write: ` and ` dropped=n` */
  reason: string;
  dropped: number | undefined;
}

const PARSE = "unable to parse '";

/** The message of a 400 body: influxd 1.x `{"error": …}`, InfluxDB 2.x `{"message": …}`, else the body. */
export function refusalMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (typeof j.message === 'string') return j.message;
  } catch {
    /* not JSON */
  }
  return body;
}

/** Reads one 400 message against the lines that were sent (`at`: their positions in the batch). */
export function readRefusal(message: string, lines: readonly string[], at: readonly number[]): Reading {
  let text = message;
  const partial = text.startsWith('partial write: ');
  if (partial) text = text.slice('partial write: '.length);
  const d = / dropped=(\d+)$/.exec(text);
  const dropped = d ? Number(d[1]) : undefined;
  if (d) text = text.slice(0, d.index);

  const listed = new Map<number, string>();
  // Listed lines by their text. A line may itself hold "': " (in a string field) or a newline (inside quotes), so
  // the end of each quoted line is found by trying the candidates against the lines sent, not by splitting.
  let byText: Map<string, number[]> | undefined;
  let pos = text.startsWith(PARSE) ? 0 : -1;
  let consumed = pos === 0;
  while (pos >= 0) {
    const start = pos + PARSE.length;
    const next = text.indexOf('\n' + PARSE, start);
    let found = false;
    for (let q = text.indexOf("': ", start); q >= 0 && (next < 0 || q < next); q = text.indexOf("': ", q + 1)) {
      byText ??= indexByText(lines, at);
      const positions = byText.get(text.slice(start, q));
      if (!positions) continue;
      const reason = text.slice(q + 3, next < 0 ? text.length : next);
      for (const p of positions) listed.set(p, reason);
      found = true;
      break;
    }
    if (!found) consumed = false;
    pos = next < 0 ? -1 : next + 1;
  }
  // Every line is accounted for when the message is nothing but listed lines: with "partial write", the others
  // were written; without it, no line could be parsed (so all should be listed).
  const restWritten = consumed && (partial || listed.size === at.length);
  return { listed, restWritten, reason: text, dropped };
}

function indexByText(lines: readonly string[], at: readonly number[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const p of at) {
    const l = lines[p]!;
    const list = m.get(l);
    if (list) list.push(p);
    else m.set(l, [p]);
  }
  return m;
}

/** Most extra requests spent isolating refused lines; beyond it the lines not yet isolated are taken as refused. */
const MAX_REQUESTS = 500;

/**
 * The refused lines of a batch, from InfluxDB's first 400 `message` and, where it does not say, by writing the
 * lines of unknown fate again. Throws when a write fails otherwise (the batch is then retried whole).
 */
export async function findRefused(lines: readonly string[], message: string, writeAgain: WriteAgain): Promise<Refusal[]> {
  const refused = new Map<number, string>();
  let requests = 0;

  const settle = async (at: number[], msg: string): Promise<void> => {
    const r = readRefusal(msg, lines, at);
    for (const [p, reason] of r.listed) refused.set(p, reason);
    if (r.restWritten) return;
    const unknown = r.listed.size ? at.filter((p) => !r.listed.has(p)) : at;
    if (!unknown.length) return;
    if (unknown.length === 1 || (r.dropped === at.length && !r.listed.size) || requests >= MAX_REQUESTS) {
      for (const p of unknown) refused.set(p, r.reason);
      return;
    }
    const half = Math.ceil(unknown.length / 2);
    for (const part of [unknown.slice(0, half), unknown.slice(half)]) {
      requests++;
      const again = await writeAgain(part.map((p) => lines[p]!));
      if (again !== undefined) await settle(part, again);
    }
  };

  await settle(
    lines.map((_, i) => i),
    message,
  );
  return [...refused].sort((a, b) => a[0] - b[0]).map(([line, reason]) => ({ line, reason }));
}
