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
 * after the first; when nothing else is left, that one is the only migration. `down` of each part undoes its `up`:
 * the `down` statement of each moved statement is found by what it undoes (the index it drops...) and moves along;
 * a statement whose `down` cannot be found stays where TypeORM put it.
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
  /** `false` when the change cannot run in a transaction at all (enum values added and used). */
  readonly transactional?: false;
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

/** Where each statement goes: `first` runs with the rest of the change, `later` in the migration after it. */
interface Placement {
  readonly first: SqlStatement[];
  readonly later: SqlStatement[];
  /** The `down` of each group moved to `later`, in the order of their `up` (reversed when written). */
  readonly laterDown: SqlStatement[][];
}

/**
 * A `down` statement of the change; `claimed` when it moved to `later` with the `up` it undoes. Parsed when first
 * looked at, once: a change where nothing moves (new tables only) never parses its `down`.
 */
class DownStatement {
  claimed = false;
  private parsed: Node | null | undefined;

  constructor(readonly statement: SqlStatement) {}

  get node(): Node | undefined {
    if (this.parsed === undefined) this.parsed = parseOne(this.statement.sql) ?? null;
    return this.parsed ?? undefined;
  }
}

const TABLE_PREFIX = /^ALTER TABLE (ONLY )?((?:"[^"]+"\.)?"[^"]+") /;

export async function safeMigration(difference: SchemaDifference): Promise<SafeMigration> {
  await loadSqlParser();
  const parsedUp = new Map<SqlStatement, Node>();
  const parts = await splitDifference(difference, parsedUp);
  const risks: { part: number; finding: LintFinding }[] = [];
  for (const [index, part] of parts.entries()) {
    const findings = await lintStatements(
      part.up.map((statement, line) => {
        // A statement left as TypeORM wrote it was parsed already; a rewritten one is parsed by the lint.
        const node = parsedUp.get(statement);
        return { sql: statement.sql, line: line + 1, allowed: new Set<string>(), ...(node && { nodes: [node] }) };
      }),
      { transactional: part.transactional },
    );
    for (const finding of findings) risks.push({ part: index, finding });
  }
  return { parts, risks };
}

/** `parsedUp` receives the parse of each `up` statement that is one statement. */
async function splitDifference(difference: SchemaDifference, parsedUp: Map<SqlStatement, Node>): Promise<MigrationPart[]> {
  const transactional = difference.transactional !== false;
  const whole: MigrationPart = { transactional, up: difference.up, down: difference.down };
  if (difference.up.length === 0) return [whole];
  const parsed = parseEach(difference.up.map((statement) => statement.sql));
  difference.up.forEach((statement, index) => {
    const node = parsed[index];
    if (node) parsedUp.set(statement, node);
  });
  const downs = difference.down.map((statement) => new DownStatement(statement));
  const facts = changeFacts(parsed);
  const placement: Placement = { first: [], later: [], laterDown: [] };
  difference.up.forEach((statement, index) => place(statement, parsed[index], facts, downs, placement));
  if (placement.later.length === 0) return [whole];
  const later: MigrationPart = {
    transactional: false,
    up: placement.later,
    down: [...placement.laterDown].reverse().flat(),
  };
  if (placement.first.length === 0) return [later];
  const first: MigrationPart = {
    transactional,
    up: placement.first,
    down: downs.filter((down) => !down.claimed).map((down) => down.statement),
  };
  return [first, later];
}

/**
 * The `down` statement that undoes a moved `up` statement, found by what it is (the index or constraint it drops,
 * the column it makes nullable again) rather than by position, and claimed so that it moves along.
 */
function claimInverse(downs: DownStatement[], undoes: (node: Node) => boolean): SqlStatement | undefined {
  const found = downs.find((down) => !down.claimed && down.node && undoes(down.node));
  if (!found) return undefined;
  found.claimed = true;
  return found.statement;
}

function dropsIndex(node: Node, name: string): boolean {
  return (
    'DropStmt' in node &&
    node.DropStmt.removeType === 'OBJECT_INDEX' &&
    (node.DropStmt.objects ?? []).some((object) => 'List' in object && lastName(object.List.items) === name)
  );
}

function altersWith(node: Node, table: string, subtype: string, name: string): boolean {
  return (
    'AlterTableStmt' in node &&
    node.AlterTableStmt.relation?.relname === table &&
    commandsOf(node).some((command) => command.subtype === subtype && command.name === name)
  );
}

/**
 * `parseOne` of each statement, in one call to the parser when it can tell them apart (none holds a `;`, and it finds
 * one statement each): a third of the time of one call each for the hundreds of statements of a first migration.
 */
export function parseEach(sqls: readonly string[]): (Node | undefined)[] {
  if (sqls.length > 1 && !sqls.some((sql) => sql.includes(';'))) {
    try {
      const statements = parseSync(sqls.join(';\n')).stmts ?? [];
      if (statements.length === sqls.length) return statements.map((statement) => statement.stmt);
    } catch {
      // One of them does not parse: each alone says which.
    }
  }
  return sqls.map(parseOne);
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

function place(
  statement: SqlStatement,
  node: Node | undefined,
  facts: ChangeFacts,
  downs: DownStatement[],
  placement: Placement,
): void {
  const later = (up: SqlStatement[], down: SqlStatement[]): void => {
    placement.later.push(...up);
    placement.laterDown.push(down);
  };
  const existing = (table: string | undefined) =>
    !!table && !facts.createdTables.has(table) && !facts.droppedTables.has(table);
  const sql = statement.sql;
  if (!node || (statement.parameters && statement.parameters.length > 0)) {
    placement.first.push(statement);
    return;
  }

  if ('IndexStmt' in node && !node.IndexStmt.concurrent && existing(node.IndexStmt.relation?.relname)) {
    const name = node.IndexStmt.idxname;
    const up = sql.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ');
    const inverse = name ? downs.find((down) => !down.claimed && down.node && dropsIndex(down.node, name)) : undefined;
    const down = inverse && concurrentDropIndex(inverse.statement.sql);
    if (inverse && down && isConcurrent(up)) {
      inverse.claimed = true;
      return later([{ sql: up }], [{ sql: down }]);
    }
  }

  if ('DropStmt' in node && node.DropStmt.removeType === 'OBJECT_INDEX' && !node.DropStmt.concurrent) {
    const names = (node.DropStmt.objects ?? []).flatMap((object) => {
      const name = 'List' in object ? lastName(object.List.items) : undefined;
      return name ? [name] : [];
    });
    const up = concurrentDropIndex(sql);
    const inverse =
      names.length === 1 && up
        ? downs.find(
            (down) => !down.claimed && down.node && 'IndexStmt' in down.node && down.node.IndexStmt.idxname === names[0],
          )
        : undefined;
    const created = inverse?.node && 'IndexStmt' in inverse.node ? inverse.node.IndexStmt : undefined;
    const table = created?.relation?.relname;
    const columns = (created?.indexParams ?? []).flatMap((param) =>
      'IndexElem' in param && param.IndexElem.name ? [param.IndexElem.name] : [],
    );
    const down = inverse?.statement.sql.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ');
    if (
      inverse &&
      up &&
      down &&
      existing(table) &&
      columns.every((column) => !facts.droppedColumns.has(`${table}.${column}`)) &&
      isConcurrent(down)
    ) {
      inverse.claimed = true;
      return later([{ sql: up }], [{ sql: down }]);
    }
  }

  const commands = commandsOf(node);
  const tableText = TABLE_PREFIX.exec(sql)?.[2];
  const table = 'AlterTableStmt' in node ? node.AlterTableStmt.relation?.relname : undefined;
  if (commands.length === 1 && tableText && table && existing(table)) {
    const [command] = commands;
    const constraint = constraintOf(command);
    const name = constraint?.conname;
    if (constraint?.contype === 'CONSTR_FOREIGN' && !constraint.skip_validation && name) {
      const notValid = `${sql} NOT VALID`;
      const check = parseOne(notValid);
      if (constraintOf(commandsOf(check)[0])?.skip_validation) {
        // The constraint stays with the rest (its down, DROP CONSTRAINT, too). No statement un-validates a
        // constraint: the later part's down puts back the NOT VALID one.
        placement.first.push({ sql: notValid });
        return later(
          [{ sql: `ALTER TABLE ${tableText} VALIDATE CONSTRAINT "${name}"` }],
          [{ sql: `ALTER TABLE ${tableText} DROP CONSTRAINT "${name}"` }, { sql: notValid }],
        );
      }
    }
    if (constraint?.contype === 'CONSTR_UNIQUE' && !constraint.indexname && name && !facts.referencedTables.has(table)) {
      const columns = /UNIQUE \((.+)\)$/.exec(sql)?.[1];
      const inverse = columns && claimInverse(downs, (down) => altersWith(down, table, 'AT_DropConstraint', name));
      if (inverse) {
        return later(
          [
            { sql: `CREATE UNIQUE INDEX CONCURRENTLY "${name}" ON ${tableText} (${columns})` },
            { sql: `ALTER TABLE ${tableText} ADD CONSTRAINT "${name}" UNIQUE USING INDEX "${name}"` },
          ],
          [inverse],
        );
      }
    }
    if (command.subtype === 'AT_SetNotNull' && command.name) {
      const column = command.name;
      const inverse = claimInverse(downs, (down) => altersWith(down, table, 'AT_DropNotNull', column));
      if (inverse) {
        const check = `"${notNullCheckName(table, column)}"`;
        return later(
          [
            { sql: `ALTER TABLE ${tableText} ADD CONSTRAINT ${check} CHECK ("${column}" IS NOT NULL) NOT VALID` },
            { sql: `ALTER TABLE ${tableText} VALIDATE CONSTRAINT ${check}` },
            { sql },
            { sql: `ALTER TABLE ${tableText} DROP CONSTRAINT ${check}` },
          ],
          [inverse],
        );
      }
    }
  }
  placement.first.push(statement);
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
