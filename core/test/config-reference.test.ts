import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_REFERENCE_BEGIN, CONFIG_REFERENCE_END, CONFIG_SECTIONS, configReferenceMarkdown, withConfigReference } from '@tianwang/core/config';

const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));

describe('configuration reference', () => {
  it('lists every variable of every section once, with its default', () => {
    const md = configReferenceMarkdown();
    for (const [section, table] of Object.entries(CONFIG_SECTIONS)) {
      expect(md).toContain(`#### ${section}\n`);
      for (const name of Object.keys(table)) expect(md.split(`| \`${name}\` |`).length - 1, name).toBe(1);
    }
    expect(md).toContain('| `TW_MQTT_PORT` | `1883` |');
    expect(md).toContain('| `TW_LOG_PRETTY` | `false` |');
    expect(md).toContain('| `NODE_ENV` | `development` | development \\| production \\| test |');
    expect(md).toContain('Secret: may be given as `TW_SECRET_KEY_FILE`.');
    // no cell may break the table
    for (const line of md.split('\n').filter((l) => l.startsWith('| `'))) expect(line.replace(/\\\|/g, '').split('|').length, line).toBe(6);
  });

  it('withConfigReference replaces exactly the text between the markers', () => {
    const doc = `# t\n\nbefore\n${CONFIG_REFERENCE_BEGIN}\nold text\n${CONFIG_REFERENCE_END}\nafter\n`;
    const out = withConfigReference(doc, '#### x\n\n| a |\n')!;
    expect(out).toBe(`# t\n\nbefore\n${CONFIG_REFERENCE_BEGIN}\n\n#### x\n\n| a |\n\n${CONFIG_REFERENCE_END}\nafter\n`);
    expect(withConfigReference(out, '#### x\n\n| a |\n')).toBe(out);
    expect(withConfigReference('no markers')).toBeUndefined();
    expect(withConfigReference(`${CONFIG_REFERENCE_END}\n${CONFIG_REFERENCE_BEGIN}`)).toBeUndefined();
    expect(withConfigReference(`${CONFIG_REFERENCE_BEGIN}\n${CONFIG_REFERENCE_END}\n${CONFIG_REFERENCE_BEGIN}\n${CONFIG_REFERENCE_END}`)).toBeUndefined();
  });

  it('README.md embeds the current reference between <!-- config:begin --> and <!-- config:end -->', () => {
    expect(existsSync(readmePath), `README.md does not exist yet at ${readmePath}: it must embed the configuration reference (a line "${CONFIG_REFERENCE_BEGIN}", a line "${CONFIG_REFERENCE_END}", then \`npm run config:docs -- --write\`)`).toBe(true);
    const readme = readFileSync(readmePath, 'utf8');
    const expected = withConfigReference(readme);
    expect(
      expected,
      `README.md has no configuration reference block: put a line "${CONFIG_REFERENCE_BEGIN}" and a line "${CONFIG_REFERENCE_END}" where it belongs, then run \`npm run config:docs -- --write\``,
    ).toBeDefined();
    expect(readme === expected, 'the configuration reference in README.md is out of date: run `npm run config:docs -- --write`').toBe(true);
  });
});
