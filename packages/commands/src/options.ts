import { InvalidTargetError } from '../../core/src/errors';
import { isDuration } from '../../core/src/migration-file';
import { isValidName, parseTarget } from '../../core/src/target';
import { parseRange } from './history';

/**
 * The options of every verb, for every way in: the CLI (`nx-typeorm-migrations <verb> --to=0002`) and the Nx
 * executors and generators (`nx run backend:migrate --to=0002`, `nx g migration --rev-id=0002`). One table says
 * which verb takes which option; `readCliOptions` and `readNxOptions` read and check them the same way, so an option
 * means the same thing, is refused for the same reason, and exits with the same code on both routes.
 *
 * Values are taken exactly as typed. Nx's argument parser turns `--to=0002` into the number 2 and `--to=+1` into 1
 * before an executor sees it; the text is recovered from the raw arguments Nx keeps (`__unparsed__`) or, for a
 * generator, from the process's arguments. When it cannot be recovered, the option is refused with the way to type
 * it, never guessed.
 */
export const VERBS = ['migrate', 'status', 'history', 'stamp', 'check', 'revision', 'merge', 'rebase', 'import-typeorm'] as const;
export type Verb = (typeof VERBS)[number];

/** How `history --format` draws the graph. */
export type HistoryFormat = 'text' | 'graph' | 'mermaid' | 'json';
export const HISTORY_FORMATS: readonly HistoryFormat[] = ['text', 'graph', 'mermaid', 'json'];

/** The verbs that are Nx executors (inferred targets); the others are Nx generators. */
export const TARGET_VERBS: readonly Verb[] = ['migrate', 'status', 'history', 'stamp', 'check'];

/** How long every verb waits for the migration lock or a busy embedded database, unless `--lock-timeout`. */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 60;

/**
 * Bad usage: an unknown option, a value that does not parse, an option without its companion. Exit code 2 on the
 * CLI (Nx exits 1 whenever an executor or a generator fails). Reported before anything touches a database.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
  /** What `--json` reports. */
  readonly code: 'BAD_USAGE' = 'BAD_USAGE';
}

/**
 * `boolean` a switch; `string` free text; `revision` a revision, target or range, taken exactly as typed and checked
 * by the option's grammar; `number` a number of seconds.
 */
export type OptionKind = 'boolean' | 'string' | 'revision' | 'number';

export interface OptionSpec {
  /** As typed on the command line (`lock-timeout`); Nx also accepts the camel-case form (`lockTimeout`). */
  readonly name: string;
  readonly kind: OptionKind;
  /** The verbs that take it. */
  readonly verbs: readonly Verb[];
  /** Only on one route: `cli` (the project's location without Nx), `nx` (what only Nx knows, like `--project`). */
  readonly route?: 'cli' | 'nx';
  /** On the Nx route, only these verbs take it (the plugin sets the data source of targets, not of generators). */
  readonly nxVerbs?: readonly Verb[];
  /** May be given several times (a list). */
  readonly repeatable?: boolean;
  /** A one-letter form: `-m`, `-y`. */
  readonly short?: string;
  /** What stands for its value in messages and the help (default by kind: REV, SECONDS, VALUE). */
  readonly placeholder?: string;
  /** The values it accepts, when they are few. */
  readonly values?: readonly string[];
  readonly description: string;
}

const ALL = VERBS;
const WITH_DOCUMENT: readonly Verb[] = ['migrate', 'status', 'history', 'stamp', 'check'];
const GENERATORS: readonly Verb[] = ['revision', 'merge', 'rebase', 'import-typeorm'];
const LOCKING: readonly Verb[] = ['migrate', 'status', 'history', 'stamp', 'check', 'revision'];

export const OPTIONS: readonly OptionSpec[] = [
  // Where the project is: the plugin sets these for the targets; the CLI finds them from --project-root.
  { name: 'project-root', kind: 'string', verbs: ALL, route: 'cli', description: 'The project folder (default: the current directory).' },
  { name: 'data-source', kind: 'string', verbs: ALL, nxVerbs: TARGET_VERBS, description: 'The TypeORM data source file (default: the data-source.ts found in the project).' },
  { name: 'migrations-dir', kind: 'string', verbs: ALL, nxVerbs: TARGET_VERBS, description: 'The folder of the migration files (default: <project-root>/migrations/versions).' },
  { name: 'project', kind: 'string', verbs: GENERATORS, route: 'nx', description: 'The Nx project (default for revision: the only project with a data source).' },
  // migrate, stamp
  { name: 'to', kind: 'revision', verbs: ['migrate', 'stamp'], description: 'The target, [BRANCH@]ANCHOR[+-N]: head, heads, base, +N, -N, REV (or a prefix of 4+ characters), LABEL, REV+N, REV-N, head-N, base+N, LABEL@head, LABEL@base, LABEL@+N, LABEL@-N, LABEL@REV, LABEL@head-N, LABEL@base+N, a revision id in place of LABEL; stamp takes several, comma-separated.' },
  { name: 'sql', kind: 'boolean', verbs: ['migrate'], description: 'Print the SQL of the move instead of running it.' },
  { name: 'from', kind: 'revision', verbs: ['migrate'], description: 'With --sql: the revision to start from (base for an empty database); then no database is needed.' },
  { name: 'step-lock-timeout', kind: 'string', verbs: ['migrate'], placeholder: 'DURATION', description: 'lock_timeout of each transactional migration: 5s, 500ms, 2min, 0 for none (default 5s; a file\'s own lockTimeout wins).' },
  { name: 'step-statement-timeout', kind: 'string', verbs: ['migrate'], placeholder: 'DURATION', description: 'statement_timeout of each transactional migration (default 0: no limit; a file\'s own statementTimeout wins).' },
  { name: 'lock-retries', kind: 'number', verbs: ['migrate'], placeholder: 'N', description: 'Tries after the first for a migration that timed out waiting for a lock (default 3), the pause doubling.' },
  { name: 'lock', kind: 'string', verbs: ['migrate', 'stamp'], values: ['advisory', 'lease', 'auto'], description: 'How the run holds the migration lock: advisory, lease (holds behind a transaction-mode pooler) or auto (a lease when a pooler sits in between; default, also NX_TYPEORM_MIGRATIONS_LOCK).' },
  { name: 'yes', kind: 'boolean', verbs: ['migrate'], short: 'y', description: 'Downgrade a database that is not on this machine without asking.' },
  { name: 'purge', kind: 'boolean', verbs: ['stamp'], description: 'Delete every version row first.' },
  // status, history
  { name: 'check-heads', kind: 'boolean', verbs: ['status'], description: 'Exit 1 when the database is not at the head revision(s).' },
  { name: 'drift', kind: 'boolean', verbs: ['status'], description: 'Also compare the live schema with the one the migrations up to its revision create (replayed in a shadow database); exit 1 on any difference.' },
  { name: 'range', kind: 'revision', verbs: ['history'], description: 'START:END, each side a revision, base, head, heads, current or empty.' },
  { name: 'show', kind: 'revision', verbs: ['history'], description: 'Only this revision, in full: a revision id or prefix, head, heads, LABEL@head, or current.' },
  { name: 'branches', kind: 'boolean', verbs: ['history'], description: 'Only the branch points, each with the revisions it branches into.' },
  { name: 'format', kind: 'string', verbs: ['history'], values: HISTORY_FORMATS, description: 'How to draw the graph: text, graph, mermaid or json.' },
  // check
  { name: 'base', kind: 'string', verbs: ['check'], description: 'Lint only the migration files changed since the merge base with this git ref.' },
  { name: 'full', kind: 'boolean', verbs: ['check'], description: 'Walk the stairway over every migration even with --base (the lint stays limited to the changed files).' },
  { name: 'shadow-database-url', kind: 'string', verbs: ['check', 'revision', 'status'], description: 'A PostgreSQL server for the temporary shadow database (default SHADOW_DATABASE_URL, else an embedded one).' },
  { name: 'include', kind: 'string', verbs: ['check', 'revision'], repeatable: true, placeholder: 'PATTERN', description: 'Only tables matching these patterns (name or schema.name, * and ?) are compared with the entities (repeatable).' },
  { name: 'exclude', kind: 'string', verbs: ['check', 'revision'], repeatable: true, placeholder: 'PATTERN', description: 'Tables matching these patterns are left out of the comparison with the entities (repeatable).' },
  // revision, merge, rebase
  { name: 'message', kind: 'string', verbs: ['revision', 'merge'], short: 'm', placeholder: '"Add users table"', description: 'What the revision does (also the file name).' },
  { name: 'empty', kind: 'boolean', verbs: ['revision'], description: 'A hand-written migration: no autogenerate, no database.' },
  { name: 'head', kind: 'revision', verbs: ['revision'], description: 'What to build on: a head (id, prefix, LABEL@head) when there are several, base for a new root, or with --splice any revision.' },
  { name: 'splice', kind: 'boolean', verbs: ['revision'], description: 'Allow --head to name a revision that is not a head, starting a new branch from it.' },
  { name: 'rename', kind: 'string', verbs: ['revision'], repeatable: true, placeholder: 'OLD:NEW', description: 'A rename instead of a drop and an add: table.old_column:new_column or old_table:new_table (repeatable).' },
  { name: 'branch-label', kind: 'revision', verbs: ['revision'], description: 'A branch label for the new revision (letters, digits and _).' },
  { name: 'depends-on', kind: 'revision', verbs: ['revision'], repeatable: true, description: 'A revision that must be applied before the new one (repeatable).' },
  { name: 'rev-id', kind: 'revision', verbs: ['revision', 'merge'], description: 'The revision id instead of a random one (letters, digits and _).' },
  { name: 'against', kind: 'string', verbs: ['revision'], values: ['migrations', 'database'], description: 'Compare the entities with the schema the migrations build, or with the live database.' },
  { name: 'revisions', kind: 'revision', verbs: ['merge'], repeatable: true, description: 'A revision to merge (repeatable; default every head).' },
  { name: 'onto', kind: 'revision', verbs: ['rebase'], description: 'The head that stays where it is (default: the other head).' },
  { name: 'branch', kind: 'revision', verbs: ['rebase'], description: 'The head whose branch moves (default: the branch git saw added last).' },
  // every verb
  { name: 'lock-timeout', kind: 'number', verbs: LOCKING, description: `Seconds to wait for the migration lock or a busy database (default ${DEFAULT_LOCK_TIMEOUT_SECONDS}).` },
  { name: 'json', kind: 'boolean', verbs: WITH_DOCUMENT, description: 'One JSON document on stdout (or in --output); the human lines go to stderr.' },
  { name: 'output', kind: 'string', verbs: WITH_DOCUMENT, placeholder: 'FILE', description: 'Write the --sql script, the --json document or the history to FILE, exactly, and nothing else.' },
  { name: 'verbose', kind: 'boolean', verbs: ALL, description: 'Stack traces of errors (history: every revision in full).' },
  { name: 'help', kind: 'boolean', verbs: ALL, route: 'cli', short: 'h', description: 'This help.' },
];

/** What was asked, every option read and checked; absent values stay absent, except the lock timeout's default. */
export interface CommandOptions {
  readonly to?: string;
  readonly from?: string;
  readonly sql: boolean;
  readonly stepLockTimeout?: string;
  readonly stepStatementTimeout?: string;
  readonly lockRetries?: number;
  readonly lock?: string;
  readonly yes: boolean;
  readonly purge: boolean;
  readonly checkHeads: boolean;
  readonly drift: boolean;
  readonly range?: string;
  readonly show?: string;
  readonly branches: boolean;
  readonly format?: HistoryFormat;
  readonly base?: string;
  readonly full: boolean;
  readonly shadowDatabaseUrl?: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly message?: string;
  readonly empty: boolean;
  readonly splice: boolean;
  readonly rename?: readonly string[];
  readonly head?: string;
  readonly branchLabel?: string;
  readonly dependsOn?: readonly string[];
  readonly revId?: string;
  readonly against?: 'migrations' | 'database';
  readonly revisions?: readonly string[];
  readonly onto?: string;
  readonly branch?: string;
  readonly lockTimeoutSeconds: number;
  readonly json: boolean;
  readonly output?: string;
  readonly verbose: boolean;
  readonly help: boolean;
  readonly project?: string;
  readonly projectRoot?: string;
  readonly dataSource?: string;
  readonly migrationsDir?: string;
}

type Value = string | boolean | readonly string[];

/** `lock-timeout` → `lockTimeout`. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** `lockTimeout` → `lock-timeout`. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The options a verb takes on a route, in table order. */
export function optionsOf(verb: Verb, route: 'cli' | 'nx'): OptionSpec[] {
  return OPTIONS.filter(
    (option) =>
      option.verbs.includes(verb) &&
      (option.route === undefined || option.route === route) &&
      (route === 'cli' || option.nxVerbs === undefined || option.nxVerbs.includes(verb)),
  );
}

/** The verb of a command word, or a usage error naming the closest one. */
export function verbOf(word: string): Verb {
  if (word === 'migration') return 'revision';
  if ((VERBS as readonly string[]).includes(word)) return word as Verb;
  const closest = closestName(word, VERBS);
  throw new UsageError(
    closest ? `Unknown command '${word}'; did you mean '${closest}'?` : `Unknown command '${word}'; use one of ${VERBS.join(', ')}.`,
  );
}

/**
 * The CLI's options of `verb` from its arguments (after the verb): `--name=value`, `--name value`, `--flag`,
 * `--no-flag`, `-m value`, `-y`. No positional argument is taken.
 */
export function readCliOptions(verb: Verb, argv: readonly string[]): CommandOptions {
  const known = optionsOf(verb, 'cli');
  const values = new Map<OptionSpec, Value>();
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]!;
    const parsed = /^(--?)([^=]+)(?:=(.*))?$/s.exec(token);
    if (!parsed || token === '-' || token === '--') throw positionalError(verb, token);
    const [, dashes, written, inline] = parsed;
    const negated = dashes === '--' && written!.startsWith('no-') && inline === undefined;
    const option =
      dashes === '-'
        ? known.find((candidate) => candidate.short === written)
        : (findOption(known, written!) ?? (negated ? findOption(known, written!.slice(3)) : undefined));
    if (!option) throw unknownOptionError(verb, token.split('=')[0]!, 'cli');
    let value: Value;
    if (option.kind === 'boolean') {
      if (inline !== undefined) value = booleanText(option, inline);
      else value = !(negated && findOption(known, written!) === undefined);
    } else {
      if (negated && findOption(known, written!) === undefined) throw missingValueError(option);
      let text = inline;
      if (text === undefined) {
        const next = argv[index + 1];
        if (next === undefined || /^--?[A-Za-z]/.test(next)) throw missingValueError(option);
        text = next;
        index++;
      }
      value = text;
    }
    values.set(option, option.repeatable ? [...((values.get(option) as string[] | undefined) ?? []), value as string] : value);
  }
  return checkedOptions(verb, values);
}

/**
 * The options of `verb` from an Nx executor's or generator's `options`, with the raw arguments Nx kept
 * (`__unparsed__` of an executor, the process's arguments for a generator) to recover text Nx turned into numbers.
 * `internal` names keys Nx or the plugin sets that are no option of the user's (none by default).
 */
export function readNxOptions(
  verb: Verb,
  options: Readonly<Record<string, unknown>>,
  rawArgs: readonly string[] | undefined,
): CommandOptions {
  const known = optionsOf(verb, 'nx');
  const values = new Map<OptionSpec, Value>();
  const positionals = options['_'];
  if (Array.isArray(positionals) && positionals.length > 0) throw positionalError(verb, String(positionals[0]));
  for (const [key, value] of Object.entries(options)) {
    if (key === '_' || key === '__unparsed__' || key === '$0' || value === undefined) continue;
    const option = findOption(known, key);
    if (!option) throw unknownOptionError(verb, `--${kebabCase(key)}`, 'nx');
    values.set(option, nxValue(option, value, rawArgs));
  }
  return checkedOptions(verb, values);
}

function findOption(known: readonly OptionSpec[], written: string): OptionSpec | undefined {
  return known.find((option) => option.name === written || camelCase(option.name) === written);
}

function booleanText(option: OptionSpec, text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new UsageError(`--${option.name}=${text}: --${option.name} is a switch; write --${option.name} or --no-${option.name}.`);
}

/** One Nx value as typed: the raw argument's text when Nx parsed it into something else. */
function nxValue(option: OptionSpec, value: unknown, rawArgs: readonly string[] | undefined): Value {
  if (option.kind === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string') return booleanText(option, value);
    throw new UsageError(`--${option.name} is a switch, not ${JSON.stringify(value)}; write --${option.name} or --no-${option.name}.`);
  }
  const typed = rawTexts(option, rawArgs ?? []);
  if (option.repeatable) {
    const items = Array.isArray(value) ? value : [value];
    if (typed.length === items.length) return typed;
    if (items.every((item) => typeof item === 'string')) return items as string[];
    throw lostTextError(option, items.find((item) => typeof item !== 'string'));
  }
  if (Array.isArray(value)) throw new UsageError(`--${option.name} was given ${value.length} times; give it once.`);
  // The last one wins, as Nx's own parser does.
  if (typed.length > 0) return typed[typed.length - 1]!;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && option.kind === 'number') return String(value);
  // `--to` with nothing after it.
  if (value === true) throw missingValueError(option);
  throw lostTextError(option, value);
}

function lostTextError(option: OptionSpec, value: unknown): UsageError {
  return new UsageError(
    `Nx read --${option.name} as ${typeof value} ${JSON.stringify(value)} and the text as typed is not in the arguments it kept; ` +
      `type it on the command line as --${option.name}=TEXT (in project.json or nx.json, as a JSON string: "${camelCase(option.name)}": "TEXT").`,
  );
}

/**
 * The values of an option exactly as typed in raw arguments: `--to=0002`, `--to 0002`, `--lockTimeout=5`, `-m 0001`.
 * A following argument is a value unless it looks like an option (`-1` is a value).
 */
export function rawTexts(option: OptionSpec, rawArgs: readonly string[]): string[] {
  const names = new Set([`--${option.name}`, `--${camelCase(option.name)}`, ...(option.short ? [`-${option.short}`] : [])]);
  const texts: string[] = [];
  for (let index = 0; index < rawArgs.length; index++) {
    const token = rawArgs[index]!;
    const equals = token.indexOf('=');
    if (equals > 0 && names.has(token.slice(0, equals))) {
      texts.push(token.slice(equals + 1));
    } else if (names.has(token)) {
      const next = rawArgs[index + 1];
      if (next !== undefined && !/^--?[A-Za-z]/.test(next)) {
        texts.push(next);
        index++;
      }
    }
  }
  return texts;
}

/** Every check that needs no file and no database: the same on both routes. */
function checkedOptions(verb: Verb, values: ReadonlyMap<OptionSpec, Value>): CommandOptions {
  const byName = new Map([...values].map(([option, value]) => [option.name, value]));
  const text = (name: string): string | undefined => {
    const value = byName.get(name);
    if (value === undefined) return undefined;
    const typed = value as string;
    if (typed.trim() === '') throw missingValueError(OPTIONS.find((option) => option.name === name)!);
    return typed;
  };
  const list = (name: string): string[] | undefined => {
    const value = byName.get(name) as string[] | undefined;
    if (value === undefined) return undefined;
    // A list is repeated options or comma-separated values: --revisions=a,b as Nx's own array options take it.
    const items = value.flatMap((item) => item.split(',')).map((item) => item.trim());
    if (items.some((item) => item === '')) throw missingValueError(OPTIONS.find((option) => option.name === name)!);
    return items;
  };
  const flag = (name: string): boolean => byName.get(name) === true;
  for (const option of OPTIONS) {
    const value = byName.get(option.name);
    if (option.values && typeof value === 'string' && !option.values.includes(value)) {
      throw new UsageError(`--${option.name}=${value} is not known; use one of ${option.values.join(', ')}.`);
    }
  }

  const to = text('to');
  // stamp records several branches at once: --to=c3,a3.
  if (to !== undefined) for (const part of verb === 'stamp' ? to.split(',') : [to]) checkTarget('to', to, part.trim());
  const from = text('from');
  if (from !== undefined) checkFrom(from);
  const range = text('range');
  if (range !== undefined) checkRange(range);
  for (const name of ['rev-id', 'branch-label']) {
    const value = text(name);
    if (value !== undefined && !isValidName(value)) {
      throw new UsageError(`--${name}=${value} is not a valid name; use letters, digits and _ (and not head, heads or base).`);
    }
  }
  for (const name of ['step-lock-timeout', 'step-statement-timeout']) {
    const value = text(name);
    if (value !== undefined && !isDuration(value)) {
      throw new UsageError(`--${name}=${value} is not a duration; write it like 5s, 500ms or 2min (0 for no limit).`);
    }
  }
  const lockTimeout = text('lock-timeout');
  const lockRetries = text('lock-retries');
  const options: CommandOptions = {
    to,
    from,
    sql: flag('sql'),
    stepLockTimeout: text('step-lock-timeout'),
    stepStatementTimeout: text('step-statement-timeout'),
    lockRetries: lockRetries === undefined ? undefined : parseLockRetries(lockRetries),
    lock: text('lock'),
    yes: flag('yes'),
    purge: flag('purge'),
    checkHeads: flag('check-heads'),
    drift: flag('drift'),
    range,
    show: text('show'),
    branches: flag('branches'),
    format: text('format') as HistoryFormat | undefined,
    base: text('base'),
    full: flag('full'),
    shadowDatabaseUrl: text('shadow-database-url'),
    include: list('include'),
    exclude: list('exclude'),
    message: text('message'),
    empty: flag('empty'),
    splice: flag('splice'),
    rename: list('rename'),
    head: text('head'),
    branchLabel: text('branch-label'),
    dependsOn: list('depends-on'),
    revId: text('rev-id'),
    against: text('against') as 'migrations' | 'database' | undefined,
    revisions: list('revisions'),
    onto: text('onto'),
    branch: text('branch'),
    lockTimeoutSeconds: lockTimeout === undefined ? DEFAULT_LOCK_TIMEOUT_SECONDS : parseLockTimeout(lockTimeout),
    json: flag('json'),
    output: text('output'),
    verbose: flag('verbose'),
    help: flag('help'),
    project: text('project'),
    projectRoot: text('project-root'),
    dataSource: text('data-source'),
    migrationsDir: text('migrations-dir'),
  };
  if (options.help) return options;
  if (options.from !== undefined && !options.sql) {
    throw new UsageError('--from only goes with --sql (it prints a script from that revision without a database).');
  }
  if (verb === 'stamp' && options.to === undefined) throw new UsageError('stamp needs --to=REV|head|heads|base.');
  if (options.output !== undefined && !hasDocument(verb, options)) {
    throw new UsageError(
      `--output writes the document of --json${verb === 'migrate' ? ' or --sql' : ''} to a file; add --json${verb === 'migrate' ? ' or --sql' : ''}.`,
    );
  }
  return options;
}

/** Whether the command prints a document that `--output` can take: the JSON, the SQL script, the history. */
export function hasDocument(verb: Verb, options: Pick<CommandOptions, 'json' | 'sql'>): boolean {
  return options.json || (verb === 'migrate' && options.sql) || verb === 'history';
}

/** `--lock-timeout`: a number of seconds, 0 or more; the same for every verb and both routes. */
export function parseLockTimeout(text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--lock-timeout=${text} is not a number of seconds (0 or more).`);
  }
  return seconds;
}

/** `--lock-retries`: a whole number, 0 or more. */
export function parseLockRetries(text: string): number {
  const retries = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(retries)) {
    throw new UsageError(`--lock-retries=${text} is not a whole number (0 or more).`);
  }
  return retries;
}

function checkTarget(name: string, text: string, part: string): void {
  try {
    parseTarget(part);
  } catch (error) {
    if (error instanceof InvalidTargetError) throw new UsageError(`--${name}=${text}: ${error.message}`);
    throw error;
  }
}

/** `--from`: `base`, or the revision(s) the database would be at, comma-separated. */
function checkFrom(text: string): void {
  for (const part of text.split(',')) {
    const reference = part.trim();
    if (reference !== 'base' && !isValidName(reference)) {
      throw new UsageError(`--from=${text}: '${reference}' is not a revision; use base or revision ids (a,b for several heads).`);
    }
  }
}

function checkRange(text: string): void {
  try {
    parseRange(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function missingValueError(option: OptionSpec): UsageError {
  return new UsageError(`--${option.name} needs a value: --${option.name}=${placeholderOf(option)}.`);
}

function placeholderOf(option: OptionSpec): string {
  return option.placeholder ?? (option.kind === 'number' ? 'SECONDS' : option.kind === 'revision' ? 'REV' : 'VALUE');
}

function positionalError(verb: Verb, token: string): UsageError {
  const hint = verb === 'migrate' || verb === 'stamp' ? ` (for a target: --to=${token})` : '';
  return new UsageError(`Unexpected argument '${token}'${hint}; ${verb} takes options only (--name=value).`);
}

/** Hints for options that other tools have and this one spells differently. */
const INSTEAD: Readonly<Record<string, { readonly option: string; readonly words: string }>> = {
  'dry-run': { option: 'sql', words: '--sql prints the SQL of the move without running it' },
  target: { option: 'to', words: "did you mean '--to'?" },
  project: { option: 'project-root', words: "without Nx, a project is its folder: '--project-root=DIR'" },
};

function unknownOptionError(verb: Verb, written: string, route: 'cli' | 'nx'): UsageError {
  const bare = kebabCase(written.replace(/^-+/, ''));
  const known = optionsOf(verb, route).map((option) => option.name);
  const hint = INSTEAD[bare];
  if (hint && known.includes(hint.option)) return new UsageError(`Unknown option '${written}'; ${hint.words}.`.replace('?.', '?'));
  const elsewhere = VERBS.filter((other) => other !== verb && optionsOf(other, route).some((option) => option.name === bare));
  if (elsewhere.length > 0) {
    return new UsageError(`Unknown option '${written}' for ${verb}; it belongs to ${elsewhere.join(', ')}.`);
  }
  const closest = closestName(kebabCase(bare), known);
  return new UsageError(
    closest
      ? `Unknown option '${written}'; did you mean '--${closest}'?`
      : `Unknown option '${written}'; ${verb} takes ${known.map((name) => `--${name}`).join(', ')}.`,
  );
}

/** The candidate nearest `word` by edit distance, when it is near enough to be a typo. */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A typo changes a few characters; beyond that the suggestion would be a guess.
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** Edit distance: insertions, deletions, substitutions and swaps of two neighbours (`stmap` is one from `stamp`). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, index) => index)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** The help of the CLI, from the table: every verb and every option, or one verb's options. */
export function usage(verb?: Verb): string {
  const written = (option: OptionSpec) =>
    `${option.short ? `-${option.short}, ` : ''}--${option.name}${option.kind === 'boolean' ? '' : `=${placeholderOf(option)}`}`;
  const described = (options: readonly OptionSpec[]) => options.map((option) => `  ${written(option).padEnd(34)}${option.description}`);
  if (verb) {
    return [
      `Usage: nx-typeorm-migrations ${verb} [options]`,
      '',
      ...described(optionsOf(verb, 'cli')),
      '',
      'Exit codes: 0 done, 1 a problem to fix, 2 bad usage.',
    ].join('\n');
  }
  const lines = ['Usage: nx-typeorm-migrations <command> [options]', '', 'Commands and their options:'];
  for (const each of VERBS) {
    const own = optionsOf(each, 'cli').filter((option) => !COMMON_CLI.includes(option.name));
    lines.push(`  ${each.padEnd(15)}${own.map((option) => `--${option.name}`).join(' ')}`);
  }
  lines.push('', 'Options:', ...described(OPTIONS.filter((option) => option.route !== 'nx')));
  lines.push('', 'nx-typeorm-migrations <command> --help: the options of one command.', 'Exit codes: 0 done, 1 a problem to fix, 2 bad usage.');
  return lines.join('\n');
}

const COMMON_CLI = ['project-root', 'data-source', 'migrations-dir', 'verbose', 'help'];
