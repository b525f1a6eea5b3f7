import { parseSync } from 'libpg-query';
import type { AlterTableCmd, Constraint, Node } from 'libpg-query';
import { loadSqlParser, lintStatements, type LintFinding } from './sql-lint';

/**
 * Safe SQL by default: TypeORM's statements rewritten, where a safe form exists, into what `migrate-check`'s lint
 * accepts, and split in two migrations when part of it must run outside a transaction.
 *
 * - an index on an existing table: `CREATE [UNIQUE] INDEX CONCURRENTLY` (PG001); an index dropped from a table that
 *   stays: `DROP INDEX CONCURRENTLY` (PG013);
 * - a unique constraint on an existing table: `CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT ... UNIQUE
 *   USING INDEX` (PG010);
 * - a foreign key on an existing table: `ADD CONSTRAINT ... NOT VALID` with the rest, `VALIDATE CONSTRAINT` in its
 *   own transaction afterwards, whose down drops the constraint and adds it back NOT VALID (PG006);
 * - `SET NOT NULL` on an existing table: `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT`, `SET NOT NULL`
 *   (which uses the validated check instead of scanning), then the check is dropped (PG008).
 *
 * The statements that must run outside a transaction go to a second migration (`transactional = false`) that runs
 * after the first; when nothing else is left, that one is the only migration. `down` of each part undoes its `up`.
 * Everything else (a drop, a type change) is risky by nature: it is left as TypeORM wrote it and reported with the
 * rule it breaks, so the summary can say why the gate will ask for an allow comment.
 */

/** One statement with its bind parameters (the shape of the TypeORM adapter's `SqlStatement`). */
export interface SqlStatement {
  readonly sql: string;
  readonly parameters?: readonly unknown[];
}

/** TypeORM's statements for a change: `down` undoes `up` and is in the order to run it. */
export interface SchemaDifference {
  readonly up: readonly SqlStatement[];
  readonly down: readonly SqlStatement[];
}

export interface MigrationPart {
  readonly transactional: boolean;
  readonly up: readonly SqlStatement[];
  /** In the order to run it. */
  readonly down: readonly SqlStatement[];
}

export interface SafeMigration {
  /** One or two parts, in the order they run. */
  readonly parts: readonly MigrationPart[];
  /** What the lint still finds in the parts (errors and warnings), with the index of the part. */
  readonly risks: readonly { readonly part: number; readonly finding: LintFinding }[];
}

interface Pair {
  readonly up: SqlStatement;
  readonly down: SqlStatement | undefined;
}

/** Where each rewritten pair goes: `first` runs in the transactional migration, `later` in the one after it. */
interface Placement {
  readonly first: Pair[];
  readonly later: Pair[];
  /** `down` statements of `later`, by pair, in the order the pairs' `up` ran (reversed when written). */
  readonly laterDown: SqlStatement[][];
}

const TABLE_PREFIX = /^ALTER TABLE (ONLY )?((?:"[^"]+"\.)?"[^"]+") /;

export async function safeMigration(difference: SchemaDifference): Promise<SafeMigration> {
  await loadSqlParser();
  const parts = await splitDifference(difference);
  const risks: { part: number; finding: LintFinding }[] = [];
  for (const [index, part] of parts.entries()) {
    const findings = await lintStatements(
      part.up.map((statement, line) => ({ sql: statement.sql, line: line + 1, allowed: new Set<string>() })),
      { transactional: part.transactional },
    );
    for (const finding of findings) risks.push({ part: index, finding });
  }
  return { parts, risks };
}

async function splitDifference(difference: SchemaDifference): Promise<MigrationPart[]> {
  const whole: MigrationPart = { transactional: true, up: difference.up, down: difference.down };
  // TypeORM pairs its statements (down[n-1-i] undoes up[i]); without that pairing nothing can be moved safely.
  if (difference.up.length !== difference.down.length || difference.up.length === 0) return [whole];
  const count = difference.up.length;
  const pairs: Pair[] = difference.up.map((up, index) => ({ up, down: difference.down[count - 1 - index] }));
  const parsed = pairs.map((pair) => parseOne(pair.up.sql));
  const facts = changeFacts(parsed);
  const placement: Placement = { first: [], later: [], laterDown: [] };
  pairs.forEach((pair, index) => place(pair, parsed[index], facts, placement));
  if (placement.later.length === 0) return [whole];
  const later: MigrationPart = {
    transactional: false,
    up: placement.later.map((pair) => pair.up),
    down: [...placement.laterDown].reverse().flat(),
  };
  if (placement.first.length === 0) return [later];
  const first: MigrationPart = {
    transactional: true,
    up: placement.first.map((pair) => pair.up),
    down: placement.first.flatMap((pair) => (pair.down ? [pair.down] : [])).reverse(),
  };
  return [first, later];
}

function parseOne(sql: string): Node | undefined {
  try {
    const statements = parseSync(sql).stmts ?? [];
    return statements.length === 1 ? statements[0].stmt : undefined;
  } catch {
    return undefined;
  }
}

interface ChangeFacts {
  readonly createdTables: ReadonlySet<string>;
  readonly droppedTables: ReadonlySet<string>;
  /** `table.column` of every column dropped. */
  readonly droppedColumns: ReadonlySet<string>;
  /** Tables referenced by a foreign key added here: their unique constraints must exist before it. */
  readonly referencedTables: ReadonlySet<string>;
}

function changeFacts(parsed: readonly (Node | undefined)[]): ChangeFacts {
  const createdTables = new Set<string>();
  const droppedTables = new Set<string>();
  const droppedColumns = new Set<string>();
  const referencedTables = new Set<string>();
  parsed.forEach((node) => {
    if (!node) return;
    if ('CreateStmt' in node && node.CreateStmt.relation?.relname) createdTables.add(node.CreateStmt.relation.relname);
    if ('DropStmt' in node && node.DropStmt.removeType === 'OBJECT_TABLE') {
      for (const object of node.DropStmt.objects ?? []) {
        const name = 'List' in object ? lastName(object.List.items) : undefined;
        if (name) droppedTables.add(name);
      }
    }
    if ('AlterTableStmt' in node) {
      const table = node.AlterTableStmt.relation?.relname ?? '';
      for (const command of commandsOf(node)) {
        if (command.subtype === 'AT_DropColumn' && command.name) droppedColumns.add(`${table}.${command.name}`);
        const constraint = constraintOf(command);
        if (constraint?.contype === 'CONSTR_FOREIGN' && constraint.pktable?.relname) {
          referencedTables.add(constraint.pktable.relname);
        }
      }
    }
  });
  return { createdTables, droppedTables, droppedColumns, referencedTables };
}

function place(pair: Pair, node: Node | undefined, facts: ChangeFacts, placement: Placement): void {
  const later = (up: SqlStatement[], down: SqlStatement[], first?: SqlStatement): void => {
    if (first) placement.first.push({ up: first, down: pair.down });
    for (const statement of up) placement.later.push({ up: statement, down: undefined });
    placement.laterDown.push(down);
  };
  const existing = (table: string | undefined) =>
    !!table && !facts.createdTables.has(table) && !facts.droppedTables.has(table);
  const sql = pair.up.sql;
  const plain = !pair.up.parameters || pair.up.parameters.length === 0;
  if (!node || !plain) {
    placement.first.push(pair);
    return;
  }

  if ('IndexStmt' in node && !node.IndexStmt.concurrent && existing(node.IndexStmt.relation?.relname)) {
    const up = sql.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ');
    const down = pair.down && concurrentDropIndex(pair.down.sql);
    if (up !== sql && isConcurrent(up) && down) return later([{ sql: up }], [{ sql: down }]);
  }

  if ('DropStmt' in node && node.DropStmt.removeType === 'OBJECT_INDEX' && !node.DropStmt.concurrent && pair.down) {
    const index = parseOne(pair.down.sql);
    const created = index && 'IndexStmt' in index ? index.IndexStmt : undefined;
    const table = created?.relation?.relname;
    const columns = (created?.indexParams ?? []).flatMap((param) =>
      'IndexElem' in param && param.IndexElem.name ? [param.IndexElem.name] : [],
    );
    const up = concurrentDropIndex(sql);
    const down = pair.down.sql.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ');
    if (
      created &&
      existing(table) &&
      columns.every((column) => !facts.droppedColumns.has(`${table}.${column}`)) &&
      up &&
      isConcurrent(down)
    ) {
      return later([{ sql: up }], [{ sql: down }]);
    }
  }

  const commands = commandsOf(node);
  const tableText = TABLE_PREFIX.exec(sql)?.[2];
  const table = 'AlterTableStmt' in node ? node.AlterTableStmt.relation?.relname : undefined;
  if (commands.length === 1 && tableText && existing(table)) {
    const [command] = commands;
    const constraint = constraintOf(command);
    if (constraint?.contype === 'CONSTR_FOREIGN' && !constraint.skip_validation && constraint.conname) {
      const notValid = `${sql} NOT VALID`;
      const check = parseOne(notValid);
      const checked = check ? constraintOf(commandsOf(check)[0]) : undefined;
      if (checked?.skip_validation && pair.down) {
        // No statement un-validates a constraint: down puts back the NOT VALID one that the first part added.
        return later(
          [{ sql: `ALTER TABLE ${tableText} VALIDATE CONSTRAINT "${constraint.conname}"` }],
          [pair.down, { sql: notValid }],
          { sql: notValid },
        );
      }
    }
    if (
      constraint?.contype === 'CONSTR_UNIQUE' &&
      !constraint.indexname &&
      constraint.conname &&
      !facts.referencedTables.has(table!)
    ) {
      const columns = /UNIQUE \((.+)\)$/.exec(sql)?.[1];
      if (columns && pair.down) {
        const name = `"${constraint.conname}"`;
        return later(
          [
            { sql: `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${tableText} (${columns})` },
            { sql: `ALTER TABLE ${tableText} ADD CONSTRAINT ${name} UNIQUE USING INDEX ${name}` },
          ],
          [pair.down],
        );
      }
    }
    if (command.subtype === 'AT_SetNotNull' && command.name && pair.down) {
      const check = `"${notNullCheckName(table!, command.name)}"`;
      return later(
        [
          { sql: `ALTER TABLE ${tableText} ADD CONSTRAINT ${check} CHECK ("${command.name}" IS NOT NULL) NOT VALID` },
          { sql: `ALTER TABLE ${tableText} VALIDATE CONSTRAINT ${check}` },
          { sql },
          { sql: `ALTER TABLE ${tableText} DROP CONSTRAINT ${check}` },
        ],
        [pair.down],
      );
    }
  }
  placement.first.push(pair);
}

/** PostgreSQL names are at most 63 bytes. */
export function notNullCheckName(table: string, column: string): string {
  return `CHK_${table}_${column}_not_null`.slice(0, 63);
}

function concurrentDropIndex(sql: string): string | undefined {
  const rewritten = sql.replace(/^DROP INDEX (?!CONCURRENTLY)/, 'DROP INDEX CONCURRENTLY ');
  return rewritten !== sql && isConcurrent(rewritten) ? rewritten : undefined;
}

function isConcurrent(sql: string): boolean {
  const node = parseOne(sql);
  if (!node) return false;
  if ('IndexStmt' in node) return !!node.IndexStmt.concurrent;
  if ('DropStmt' in node) return !!node.DropStmt.concurrent;
  return false;
}

function commandsOf(node: Node | undefined): AlterTableCmd[] {
  if (!node || !('AlterTableStmt' in node)) return [];
  return (node.AlterTableStmt.cmds ?? []).flatMap((raw) => ('AlterTableCmd' in raw ? [raw.AlterTableCmd] : []));
}

function constraintOf(command: AlterTableCmd | undefined): Constraint | undefined {
  return command?.subtype === 'AT_AddConstraint' && command.def && 'Constraint' in command.def
    ? command.def.Constraint
    : undefined;
}

function lastName(names: readonly Node[] | undefined): string | undefined {
  const last = names?.at(-1);
  return last && 'String' in last ? last.String.sval : undefined;
}
