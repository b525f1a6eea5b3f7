import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from './errors';
import type { CommandOptions, Verb } from './options';

/**
 * The machine-readable document of a command, and where it goes. A document is the `--json` result, else the SQL
 * script of `migrate --sql`, else the drawing of `history`. With `--output=FILE` it is written to FILE, exactly and
 * alone (Nx writes its own banner and summary on the terminal, so the terminal cannot be piped into psql or jq);
 * without, it goes to stdout.
 */
export function documentOf(
  verb: Verb,
  options: Pick<CommandOptions, 'json' | 'sql'>,
  result: { readonly success: boolean },
): string | undefined {
  if (options.json) return `${JSON.stringify({ ...result, failure: undefined }, null, 2)}\n`;
  const { sql, output } = result as { sql?: unknown; output?: unknown };
  if (verb === 'migrate' && options.sql && typeof sql === 'string') return `${sql}\n`;
  if (verb === 'history' && typeof output === 'string') return `${output}\n`;
  return undefined;
}

/**
 * Whether the human lines (which database, the steps) must keep off stdout: when stdout carries a document that a
 * program reads (JSON or SQL). A history drawing is read by people, with its `Database:` line.
 */
export function humanLinesOffStdout(verb: Verb, options: Pick<CommandOptions, 'json' | 'sql' | 'output'>): boolean {
  return options.output === undefined && (options.json || (verb === 'migrate' && options.sql));
}

/** Writes the document to `--output` (relative to `cwd`), its folder created; returns the absolute path. */
export function writeOutputFile(file: string, cwd: string, document: string): string {
  const path = resolve(cwd, file);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, document);
  } catch (error) {
    throw new UserError(`Cannot write --output=${file}: ${(error as Error).message.replace(/^[A-Z]+: /, '')}; choose a file in a folder you can write to.`, {
      code: 'OUTPUT_NOT_WRITABLE',
      cause: error,
    });
  }
  return path;
}
