import { z } from 'zod';
import { CONFIG_SECTIONS } from './load.js';
import type { VarSpec } from './define.js';

function defaultOf(spec: VarSpec): string {
  const parsed = spec.schema.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return '';
  return String(parsed.data);
}

function allowedOf(spec: VarSpec): string {
  const inner = spec.schema instanceof z.ZodDefault || spec.schema instanceof z.ZodOptional ? (spec.schema.unwrap() as z.ZodType) : spec.schema;
  return inner instanceof z.ZodEnum ? (inner.options as string[]).join(' \\| ') : '';
}

/** The configuration reference as a Markdown table, generated from the schema (the README embeds it). */
export function configReferenceMarkdown(): string {
  const lines: string[] = [];
  for (const [section, table] of Object.entries(CONFIG_SECTIONS)) {
    lines.push(`#### ${section}`, '', '| variable | default | values | meaning |', '| --- | --- | --- | --- |');
    for (const [name, spec] of Object.entries(table as Record<string, VarSpec>)) {
      const def = defaultOf(spec);
      const fileNote = spec.secret ? ` Secret: may be given as \`${name}_FILE\`.` : '';
      lines.push(`| \`${name}\` | ${def ? `\`${def}\`` : '—'} | ${allowedOf(spec)} | ${spec.doc}${fileNote} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
