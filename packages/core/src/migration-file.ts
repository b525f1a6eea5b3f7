import { createHash, randomBytes } from 'node:crypto';
import { CodedError } from './errors';

/**
 * The migration file format: rendering a revision to TypeScript, and reading its metadata back without executing
 * it. Both sides live here so that they cannot drift apart; docs/ARCHITECTURE.md shows the format.
 */

/** One statement of `up` or `down`: SQL text, with optional bind parameters (`$1`, `$2`, ...). */
export type MigrationStatement = string | { readonly sql: string; readonly parameters?: readonly unknown[] };

export interface MigrationFileSpec {
  readonly revision: string;
  /** Empty for a base, several for a merge. */
  readonly downRevisions: readonly string[];
  readonly message: string;
  readonly branchLabels?: readonly string[];
  readonly dependsOn?: readonly string[];
  /** `false` runs the migration outside a transaction (for `CREATE INDEX CONCURRENTLY`). Default `true`. */
  readonly transactional?: boolean;
  /** `lock_timeout` of this migration's transaction, written only when given (the run's default applies). */
  readonly lockTimeout?: string;
  /** `statement_timeout` of this migration's transaction, written only when given. */
  readonly statementTimeout?: string;
  readonly createDate: Date;
  readonly up: readonly MigrationStatement[];
  readonly down: readonly MigrationStatement[];
  /** Written as a comment into a function that has no statements (hand-written migrations). */
  readonly emptyBodyHint?: string;
}

export interface MigrationMetadata {
  readonly revision: string;
  readonly downRevisions: readonly string[];
  readonly message: string;
  readonly branchLabels: readonly string[];
  readonly dependsOn: readonly string[];
  readonly transactional: boolean;
  /**
   * `export const lockTimeout = '10s'`: PostgreSQL's `lock_timeout` for this migration's transaction, instead of the
   * run's default. Absent when the file does not say.
   */
  readonly lockTimeout?: string;
  /** `export const statementTimeout = '5min'`: PostgreSQL's `statement_timeout` likewise (`'0'`: none). */
  readonly statementTimeout?: string;
}

const DURATION = /^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$/;

/**
 * A duration as PostgreSQL's `lock_timeout` and `statement_timeout` take it: a number of milliseconds, or a number
 * with a unit (`us`, `ms`, `s`, `min`, `h`, `d`); `0` means no limit.
 */
export function isDuration(value: string): boolean {
  return DURATION.test(value.trim());
}

/** A migration file that cannot be read; the message names the file and what to write instead. */
export class MigrationFileError extends CodedError {
  readonly code = 'MIGRATION_FILE_INVALID';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

const REVISION_ID = /^[A-Za-z0-9_]+$/;
/** Words of the `--to` grammar; a revision or label of that name could never be addressed. */
const RESERVED = new Set(['head', 'heads', 'base']);

export function isValidRevisionId(id: string): boolean {
  return REVISION_ID.test(id) && !RESERVED.has(id);
}

/** A new random revision id: 12 lowercase hex characters, like Alembic's. */
export function newRevisionId(): string {
  return randomBytes(6).toString('hex');
}

/** The message as a file-name fragment: lowercase, non-alphanumerics folded to `_`, at most 40 characters. */
export function slugify(message: string): string {
  const slug = message
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  return slug || 'migration';
}

export function migrationFileName(revision: string, message: string): string {
  return `${revision}_${slugify(message)}.ts`;
}

/** sha256 of the file's text, line endings folded to LF so that a checkout on Windows does not count as an edit. */
export function checksumOf(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

export function renderMigrationFile(spec: MigrationFileSpec): string {
  for (const id of [spec.revision, ...spec.downRevisions, ...(spec.dependsOn ?? [])]) {
    if (!isValidRevisionId(id)) {
      throw new Error(`"${id}" is not a valid revision id: use letters, digits and _ only, and not head, heads or base.`);
    }
  }
  const message = spec.message.trim();
  const header = [
    '/**',
    ...message.split(/\r?\n/).map((line) => ` * ${line.replace(/\*\//g, '* /')}`.trimEnd()),
    ' *',
    ` * Revision ID: ${spec.revision}`,
    ` * Revises: ${spec.downRevisions.length ? spec.downRevisions.join(', ') : '<base>'}`,
    ` * Create Date: ${spec.createDate.toISOString()}`,
    ' */',
  ];
  const lines = [
    ...header,
    "import type { QueryRunner } from 'typeorm';",
    '',
    `export const revision = ${quote(spec.revision)};`,
    `export const downRevision: string | readonly string[] | null = ${renderDownRevision(spec.downRevisions)};`,
    `export const message = ${quote(message)};`,
    `export const branchLabels: readonly string[] = ${renderStringArray(spec.branchLabels ?? [])};`,
    `export const dependsOn: readonly string[] = ${renderStringArray(spec.dependsOn ?? [])};`,
    `export const transactional = ${spec.transactional === false ? 'false' : 'true'};`,
    ...(spec.lockTimeout === undefined ? [] : [`export const lockTimeout = ${quote(spec.lockTimeout)};`]),
    ...(spec.statementTimeout === undefined ? [] : [`export const statementTimeout = ${quote(spec.statementTimeout)};`]),
    '',
    ...renderFunction('up', spec.up, spec.emptyBodyHint),
    '',
    ...renderFunction('down', spec.down, spec.emptyBodyHint),
  ];
  return lines.join('\n') + '\n';
}

function renderFunction(name: 'up' | 'down', statements: readonly MigrationStatement[], hint?: string): string[] {
  const body = statements.length
    ? statements.map((statement) => `  await queryRunner.query(${renderStatement(statement)});`)
    : hint
      ? [`  // ${hint}`]
      : [];
  return [`export async function ${name}(queryRunner: QueryRunner): Promise<void> {`, ...body, '}'];
}

function renderStatement(statement: MigrationStatement): string {
  const { sql, parameters } = typeof statement === 'string' ? { sql: statement, parameters: undefined } : statement;
  const literal = '`' + sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
  return parameters && parameters.length ? `${literal}, ${JSON.stringify(parameters)}` : literal;
}

function renderDownRevision(downRevisions: readonly string[]): string {
  if (downRevisions.length === 0) return 'null';
  if (downRevisions.length === 1) return quote(downRevisions[0]);
  return renderStringArray(downRevisions);
}

function renderStringArray(values: readonly string[]): string {
  return `[${values.map(quote).join(', ')}]`;
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r?\n/g, '\\n')}'`;
}

/**
 * Reads a migration's metadata from its text without executing it: the `export const` declarations of
 * `revision`, `downRevision`, `message`, `branchLabels`, `dependsOn` and `transactional` must be literals.
 * This is what lets status, history and planning over 1,000 revisions run without transpiling a single file.
 */
export function readMigrationMetadata(text: string, file: string): MigrationMetadata {
  const revision = readExportedLiteral(text, 'revision', file);
  if (typeof revision !== 'string' || !isValidRevisionId(revision)) {
    throw new MigrationFileError(
      file,
      revision === undefined
        ? "exports no revision id; every migration file needs `export const revision = '<id>';` (letters, digits and _)."
        : 'its `revision` must be a string literal of letters, digits and _ only.',
    );
  }
  const down = readExportedLiteral(text, 'downRevision', file);
  if (down === undefined) {
    throw new MigrationFileError(
      file,
      "exports no `downRevision`; write `export const downRevision = null;` for a first migration, or the parent's revision id.",
    );
  }
  const downRevisions = down === null ? [] : typeof down === 'string' ? [down] : down;
  if (!Array.isArray(downRevisions) || downRevisions.some((id) => typeof id !== 'string' || !isValidRevisionId(id))) {
    throw new MigrationFileError(file, '`downRevision` must be null, a revision id, or an array of revision ids.');
  }
  const message = readExportedLiteral(text, 'message', file) ?? '';
  if (typeof message !== 'string') throw new MigrationFileError(file, '`message` must be a string literal.');
  const transactional = readExportedLiteral(text, 'transactional', file) ?? true;
  if (typeof transactional !== 'boolean') throw new MigrationFileError(file, '`transactional` must be true or false.');
  const metadata: MigrationMetadata = {
    revision,
    downRevisions: downRevisions as string[],
    message,
    branchLabels: readStringList(text, 'branchLabels', file),
    dependsOn: readStringList(text, 'dependsOn', file),
    transactional,
  };
  const lockTimeout = readDuration(text, 'lockTimeout', file);
  const statementTimeout = readDuration(text, 'statementTimeout', file);
  // Only when declared: most files have neither, and their metadata stays as it was.
  if (lockTimeout === undefined && statementTimeout === undefined) return metadata;
  return {
    ...metadata,
    ...(lockTimeout === undefined ? {} : { lockTimeout }),
    ...(statementTimeout === undefined ? {} : { statementTimeout }),
  };
}

function readDuration(text: string, name: string, file: string): string | undefined {
  const value = readExportedLiteral(text, name, file);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isDuration(value)) {
    throw new MigrationFileError(
      file,
      `\`${name}\` must be a duration string such as '10s', '500ms' or '2min' ('0' for no limit).`,
    );
  }
  return value.trim();
}

function readStringList(text: string, name: string, file: string): string[] {
  const value = readExportedLiteral(text, name, file);
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || !isValidRevisionId(item))) {
    throw new MigrationFileError(file, `\`${name}\` must be an array of names made of letters, digits and _.`);
  }
  return list as string[];
}

export type Literal = string | boolean | null | Literal[];

/**
 * The literal value of `export const NAME = <literal>;` (string, boolean, null, or an array of those), or
 * `undefined` when the file does not export NAME. Throws when NAME is exported as something else.
 */
export function readExportedLiteral(text: string, name: string, file: string): Literal | undefined {
  const declaration = findExportedConst(text, name);
  if (!declaration) return undefined;
  const parser = new LiteralParser(text, declaration.valueStart);
  try {
    return parser.parseValue();
  } catch {
    throw new MigrationFileError(
      file,
      `\`${name}\` must be written as a literal (a string, true/false, null or an array of strings) so that it can be read without running the file.`,
    );
  }
}

interface ExportedConst {
  readonly valueStart: number;
  readonly valueEnd: number;
}

function findExportedConst(text: string, name: string): ExportedConst | undefined {
  const pattern = new RegExp(`^export\\s+const\\s+${name}\\b\\s*(?::[^=\\n]*)?=\\s*`, 'm');
  const match = pattern.exec(text);
  if (!match) return undefined;
  const valueStart = match.index + match[0].length;
  const parser = new LiteralParser(text, valueStart);
  try {
    parser.parseValue();
  } catch {
    return { valueStart, valueEnd: valueStart };
  }
  return { valueStart, valueEnd: parser.position };
}

/** Replaces the declared down revision(s) of a migration file and the `Revises:` line of its header; nothing else. */
export function rewriteDownRevision(text: string, downRevisions: readonly string[], file: string): string {
  const declaration = findExportedConst(text, 'downRevision');
  if (!declaration || declaration.valueEnd === declaration.valueStart) {
    throw new MigrationFileError(file, 'has no literal `downRevision` declaration to rewrite.');
  }
  const rewritten =
    text.slice(0, declaration.valueStart) + renderDownRevision(downRevisions) + text.slice(declaration.valueEnd);
  return rewritten.replace(
    /^(\s*\*\s*Revises:).*$/m,
    `$1 ${downRevisions.length ? downRevisions.join(', ') : '<base>'}`,
  );
}

class LiteralParser {
  constructor(
    private readonly text: string,
    public position: number,
  ) {}

  parseValue(): Literal {
    this.skipSpace();
    const char = this.text[this.position];
    if (char === "'" || char === '"' || char === '`') return this.parseString(char);
    if (char === '[') return this.parseArray();
    for (const [word, value] of [
      ['null', null],
      ['true', true],
      ['false', false],
    ] as const) {
      if (this.text.startsWith(word, this.position) && !/\w/.test(this.text[this.position + word.length] ?? '')) {
        this.position += word.length;
        this.skipAssertion();
        return value;
      }
    }
    throw new Error('not a literal');
  }

  private parseArray(): Literal[] {
    this.position++;
    const items: Literal[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] === ']') {
        this.position++;
        this.skipAssertion();
        return items;
      }
      items.push(this.parseValue());
      this.skipSpace();
      if (this.text[this.position] === ',') this.position++;
      else if (this.text[this.position] !== ']') throw new Error('bad array');
    }
  }

  private parseString(quoteChar: string): string {
    let value = '';
    for (let i = this.position + 1; i < this.text.length; i++) {
      const char = this.text[i];
      if (char === '\\') {
        const next = this.text[++i];
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      } else if (char === quoteChar) {
        this.position = i + 1;
        this.skipAssertion();
        return value;
      } else if (quoteChar === '`' && char === '$' && this.text[i + 1] === '{') {
        throw new Error('template with substitutions');
      } else {
        value += char;
      }
    }
    throw new Error('unterminated string');
  }

  /** `as const` after a literal is allowed. */
  private skipAssertion(): void {
    const match = /^\s*as\s+const\b/.exec(this.text.slice(this.position, this.position + 16));
    if (match) this.position += match[0].length;
  }

  private skipSpace(): void {
    for (;;) {
      const rest = this.text.slice(this.position, this.position + 2);
      if (/^\s/.test(rest)) this.position++;
      else if (rest === '//') this.position = this.lineEnd();
      else if (rest === '/*') this.position = this.commentEnd();
      else return;
    }
  }

  private commentEnd(): number {
    const end = this.text.indexOf('*/', this.position + 2);
    return end === -1 ? this.text.length : end + 2;
  }

  private lineEnd(): number {
    const end = this.text.indexOf('\n', this.position);
    return end === -1 ? this.text.length : end;
  }
}
