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

/** The README's generated block lies between these two lines. */
export const CONFIG_REFERENCE_BEGIN = '<!-- config:begin -->';
export const CONFIG_REFERENCE_END = '<!-- config:end -->';

/**
 * The document with the text between the markers replaced by the reference; undefined when the markers are
 * missing, repeated or out of order (then a person has to place them).
 */
export function withConfigReference(doc: string, reference: string = configReferenceMarkdown()): string | undefined {
  const begin = doc.indexOf(CONFIG_REFERENCE_BEGIN);
  const end = doc.indexOf(CONFIG_REFERENCE_END);
  if (begin < 0 || end < begin) return undefined;
  if (doc.indexOf(CONFIG_REFERENCE_BEGIN, begin + 1) >= 0 || doc.indexOf(CONFIG_REFERENCE_END, end + 1) >= 0) return undefined;
  return `${doc.slice(0, begin)}${CONFIG_REFERENCE_BEGIN}\n\n${reference.trim()}\n\n${doc.slice(end)}`;
}
