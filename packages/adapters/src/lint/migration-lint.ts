import type { CallExpression, Expression, ModuleItem, Node as SwcNode, Span } from '@swc/core';
import { LINT_RULES } from './rules';
import { allowedRuleIds, lintStatements, type LintedStatement, type LintFinding } from './sql-lint';

export interface MigrationLintResult {
  readonly file: string;
  readonly findings: readonly LintFinding[];
}

/**
 * Lints the `up` of one migration file. The statements are read statically from the TypeScript syntax tree (no
 * code runs): every `<anything>.query(<literal>)` call inside the exported `up`, in source order. A call whose SQL
 * is built at run time cannot be vouched for and is reported as PG000. Comments of the form
 * `// migrate-check-allow PG001: reason` on the lines directly above a call allow those rules for that call.
 * `down` is not linted: undoing a migration is destructive by design.
 */
export async function lintMigration(text: string, file: string, transactional: boolean): Promise<MigrationLintResult> {
  let statements: LintedStatement[];
  try {
    statements = readUpStatements(text);
  } catch (error) {
    const { message, line, column } = syntaxErrorOf(error);
    return {
      file,
      findings: [
        {
          rule: LINT_RULES.unreadable,
          line,
          column,
          subject: `the file does not parse as TypeScript: ${message}`,
          allowable: false,
        },
      ],
    };
  }
  return {
    file,
    findings: await lintStatements(statements, { transactional }),
  };
}

/**
 * swc reports a syntax error as a drawn snippet: `  x Expected ',', got ';'`, a header `,-[4:1]` naming the line,
 * the numbered source lines, and a `:   ^` line whose caret sits under the column. The message, line and column are
 * read back from that drawing (swc gives no structured error), the drawing itself is not passed on.
 */
export function syntaxErrorOf(error: unknown): { message: string; line: number; column?: number } {
  const text = String((error as Error)?.message ?? error);
  const lines = text.split('\n');
  const message = (lines.find((line) => /^\s*x /.test(line)) ?? lines[0]).replace(/^\s*x\s+/, '').trim();
  const header = /,-\[(?:[^\]]*:)?(\d+):(\d+)\]/.exec(text);
  if (!header) return { message, line: 1 };
  const line = Number(header[1]);
  const source = lines.findIndex((candidate) => new RegExp(`^\\s*${line} \\|`).test(candidate));
  const caret = source >= 0 ? lines.slice(source + 1).find((candidate) => /^\s*:\s*\^/.test(candidate)) : undefined;
  if (source < 0 || !caret) return { message, line, column: Number(header[2]) };
  const gutter = lines[source].indexOf('|');
  return { message, line, column: caret.indexOf('^') - (gutter + 2) + 1 };
}

/** The `queryRunner.query(...)` calls of the exported `up`, each with its line and the rules allowed above it. */
export function readUpStatements(text: string): LintedStatement[] {
  // Loaded here: every CLI command imports this module, and @swc/core's native binding takes tens of milliseconds.
  const { parseSync } = require('@swc/core') as typeof import('@swc/core');
  const module = parseSync(text, { syntax: 'typescript' });
  const body = findUpFunction(module.body);
  if (!body) return [];
  const bytes = Buffer.from(text, 'utf8');
  const lines = text.split('\n');
  const calls: CallExpression[] = [];
  collectQueryCalls(body, calls);
  return calls.map((call) => {
    const line = lineOf(bytes, call.span);
    return {
      sql: literalSql(call),
      line,
      allowed: allowedRuleIds(commentsAbove(lines, line)),
    };
  });
}

function findUpFunction(items: readonly ModuleItem[]): SwcNode | undefined {
  for (const item of items) {
    if (item.type !== 'ExportDeclaration') continue;
    const declaration = item.declaration;
    if (declaration.type === 'FunctionDeclaration' && declaration.identifier.value === 'up') return declaration.body;
    if (declaration.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) {
        if (declarator.id.type === 'Identifier' && declarator.id.value === 'up' && declarator.init) {
          return declarator.init;
        }
      }
    }
  }
  return undefined;
}

function collectQueryCalls(node: unknown, calls: CallExpression[]): void {
  if (Array.isArray(node)) {
    for (const child of node) collectQueryCalls(child, calls);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const candidate = node as { type?: string };
  if (candidate.type === 'CallExpression') {
    const call = candidate as CallExpression;
    if (
      call.callee.type === 'MemberExpression' &&
      call.callee.property.type === 'Identifier' &&
      call.callee.property.value === 'query'
    ) {
      calls.push(call);
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'span') collectQueryCalls(value, calls);
  }
}

function literalSql(call: CallExpression): string | undefined {
  const argument: Expression | undefined = call.arguments[0]?.expression;
  if (argument?.type === 'StringLiteral') return argument.value;
  if (argument?.type === 'TemplateLiteral' && argument.expressions.length === 0) {
    return argument.quasis[0]?.cooked ?? undefined;
  }
  return undefined;
}

/** swc spans are 1-based UTF-8 byte offsets into the parsed text. */
function lineOf(bytes: Buffer, span: Span): number {
  let line = 1;
  for (let i = 0; i < span.start - 1 && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The comment lines directly above `line` (1-based), joined. */
function commentsAbove(lines: readonly string[], line: number): string {
  const comments: string[] = [];
  for (let index = line - 2; index >= 0; index--) {
    const trimmed = lines[index].trim();
    if (!/^(\/\/|\/\*|\*)/.test(trimmed)) break;
    comments.push(trimmed);
  }
  return comments.join('\n');
}
