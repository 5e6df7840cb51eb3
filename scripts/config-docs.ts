/**
 * The configuration reference, generated from the schema in core/src/config.
 *   npm run config:docs                 print it (Markdown)
 *   npm run config:docs -- --write      replace the block between <!-- config:begin --> and <!-- config:end --> in README.md
 *   npm run config:docs -- --check      exit 1 when README.md's block is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_REFERENCE_BEGIN, CONFIG_REFERENCE_END, configReferenceMarkdown, withConfigReference } from '@tianwang/core/config';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--write' && a !== '--check');

function fail(message: string): never {
  console.error(`config-docs: ${message}`);
  process.exit(1);
}

if (unknown.length) fail(`unknown argument ${unknown.join(' ')} (use --write or --check)`);

const reference = configReferenceMarkdown();
if (!args.length) {
  process.stdout.write(reference);
} else {
  let readme: string;
  try {
    readme = readFileSync(readmePath, 'utf8');
  } catch (err) {
    fail(`cannot read ${readmePath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const updated = withConfigReference(readme, reference);
  if (updated === undefined) fail(`README.md needs one line "${CONFIG_REFERENCE_BEGIN}" and, after it, one line "${CONFIG_REFERENCE_END}" where the reference belongs`);
  if (args.includes('--write')) {
    if (updated !== readme) writeFileSync(readmePath, updated);
    console.log(updated === readme ? 'README.md: configuration reference already up to date' : 'README.md: configuration reference updated');
  } else if (updated !== readme) {
    fail('the configuration reference in README.md is out of date: run `npm run config:docs -- --write`');
  }
}
