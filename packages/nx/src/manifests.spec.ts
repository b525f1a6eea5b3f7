import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What Nx reads from the installed package at run time, checked as Nx reads it: a schema that does not parse makes
 * `nx g migration` answer "Could not find any generators named migration" in a user's workspace, which no other
 * unit test would notice.
 */
const root = join(__dirname, '..', '..', '..');

describe.each([
  ['generators.json', 'generators', 'factory'],
  ['executors.json', 'executors', 'implementation'],
] as const)('%s', (manifest, field, entryPoint) => {
  const entries = Object.entries(JSON.parse(readFileSync(join(root, manifest), 'utf8'))[field] as Record<string, Record<string, string>>);

  it.each(entries.map(([name, entry]) => [name, entry]))('%s: its schema parses and its entry point exists', (_name, entry) => {
    const schema = JSON.parse(readFileSync(join(root, entry['schema']), 'utf8'));
    expect(schema.type).toBe('object');
    expect(existsSync(join(root, `${entry[entryPoint]}.ts`))).toBe(true);
  });
});
