/**
 * For the report of an index change: the dashboard process, asked to (`dashboard-proc.ts … explain=<file>`), runs
 * EXPLAIN ANALYZE once for each distinct statement on the alarms (the first time it runs it, which the alarm
 * queries treat as a warm-up) and appends the plans to <file>. Only PostgreSQL plans are of interest here.
 */
import { appendFile } from 'node:fs/promises';
import type { Db } from '@tianwang/core/registry';

export function explainAlarmStatements(db: Db, file: string): void {
  const seen = new Set<string>();
  const query = db.query.bind(db);
  db.query = async <T>(sql: string, params?: unknown[]): Promise<T[]> => {
    if (/\bFROM alarms a\b/.test(sql) && /^\s*(SELECT|WITH)\b/i.test(sql) && !seen.has(sql)) {
      seen.add(sql);
      const plan = await query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      await appendFile(file, `---\n${sql.replace(/\s+/g, ' ')}\n-- params ${JSON.stringify(params)}\n${plan.map((r) => r['QUERY PLAN']).join('\n')}\n`);
    }
    return query<T>(sql, params);
  };
}
