import { readNxOptions, type CommandOptions, type Verb } from '../../../../commands/src/options';

/**
 * A generator's options, read and checked by the option table every route shares. Nx parses a generator's
 * arguments before the generator runs and turns all-digit values into numbers (`--rev-id=123456789012`); Nx keeps
 * no raw arguments for generators, so the text as typed is read from the process's arguments (`nx g ...`).
 */
export function readGeneratorOptions(verb: Verb, options: object): CommandOptions {
  return readNxOptions(verb, options as Readonly<Record<string, unknown>>, process.argv.slice(2));
}
