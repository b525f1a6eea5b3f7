import { loadModule, parseSync } from 'libpg-query';
import type {
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CreateStmt,
  DropStmt,
  IndexStmt,
  Node,
  RangeVar,
  RenameStmt,
  TypeName,
} from 'libpg-query';
import { LINT_RULES, type LintRule } from './rules';
import { withBaselineWasm } from '../wasm/baseline';

/** One `queryRunner.query(...)` call of a migration's `up`. */
export interface LintedStatement {
  /** The SQL text, or `undefined` when it is built at run time (a template with substitutions, a variable). */
  readonly sql: string | undefined;
  /** 1-based line of the call in the migration file. */
  readonly line: number;
  /** Rule ids allowed for this call by a `// migrate-check-allow PG00N` comment above it. */
  readonly allowed: ReadonlySet<string>;
  /** The statements of `sql` when the caller parsed it already (safe forms parse TypeORM's statements first). */
  readonly nodes?: readonly Node[];
}

export interface LintFinding {
  readonly rule: LintRule;
  readonly line: number;
  /** 1-based column, when known (a syntax error of the file). */
  readonly column?: number;
  /** What the rule matched, e.g. `CREATE INDEX "IDX_name" ON "users"`. */
  readonly subject: string;
  /** False when no allow comment can accept the finding (the file itself does not parse). */
  readonly allowable?: boolean;
}

export interface LintContext {
  /** The migration's `transactional` flag (default true). */
  readonly transactional: boolean;
}

/** `-- migrate-check-allow PG001, PG004: reason` inside the SQL, or `// migrate-check-allow ...` above the call. */
const ALLOW_COMMENT = /migrate-check-allow\s+((?:PG\d{3}[\s,]*)+)/g;

export function allowedRuleIds(commentText: string): Set<string> {
  const ids = new Set<string>();
  for (const match of commentText.matchAll(ALLOW_COMMENT)) {
    for (const id of match[1].match(/PG\d{3}/g) ?? []) ids.add(id);
  }
  return ids;
}

let parserReady: Promise<void> | undefined;

/** The parser is WebAssembly: it must be loaded once before `parseSync` works. */
export function loadSqlParser(): Promise<void> {
  parserReady ??= withBaselineWasm(loadModule);
  return parserReady;
}


/**
 * Lints the statements of one migration's `up`, in order. Tables created by an earlier statement of the same
 * migration count as new: nothing reads them yet, so indexes, constraints and columns on them are safe.
 */
export async function lintStatements(
  statements: readonly LintedStatement[],
  context: LintContext,
): Promise<LintFinding[]> {
  await loadSqlParser();
  const createdTables = new Set<string>();
  const createdIndexes = new Set<string>();
  const notNullChecks = new Map<string, string>();
  const provenNotNull = new Set<string>();
  const findings: LintFinding[] = [];
  for (const statement of statements) {
    const allowed = new Set([...statement.allowed, ...allowedRuleIds(statement.sql ?? '')]);
    const report = (rule: LintRule, subject: string): void => {
      if (!allowed.has(rule.id)) findings.push({ rule, line: statement.line, subject });
    };
    if (statement.sql === undefined) {
      report(LINT_RULES.unreadable, 'SQL built at run time');
      continue;
    }
    let nodes: readonly Node[];
    try {
      nodes = statement.nodes ?? (parseSync(statement.sql).stmts ?? []).flatMap((raw) => (raw.stmt ? [raw.stmt] : []));
    } catch (error) {
      report(LINT_RULES.unreadable, `does not parse: ${(error as Error).message}`);
      continue;
    }
    for (const node of nodes) lintNode(node, { context, createdTables, createdIndexes, notNullChecks, provenNotNull, report });
  }
  return findings;
}

interface NodeLint {
  readonly context: LintContext;
  readonly createdTables: Set<string>;
  readonly createdIndexes: Set<string>;
  /** `CHECK (col IS NOT NULL)` constraints added here, by name -> `table.column`. */
  readonly notNullChecks: Map<string, string>;
  /** `table.column` whose NOT NULL check was validated here: SET NOT NULL then uses it instead of scanning. */
  readonly provenNotNull: Set<string>;
  readonly report: (rule: LintRule, subject: string) => void;
}

function lintNode(node: Node, lint: NodeLint): void {
  if ('CreateStmt' in node) return lintCreateTable(node.CreateStmt, lint);
  if ('CreateTableAsStmt' in node) return recordCreated(node.CreateTableAsStmt.into?.rel, lint);
  if ('IndexStmt' in node) return lintIndex(node.IndexStmt, lint);
  if ('AlterTableStmt' in node) return lintAlterTable(node.AlterTableStmt, lint);
  if ('RenameStmt' in node) return lintRename(node.RenameStmt, lint);
  if ('DropStmt' in node) return lintDrop(node.DropStmt, lint);
  if ('AlterEnumStmt' in node) {
    const statement = node.AlterEnumStmt;
    if (statement.oldVal !== undefined) {
      lint.report(
        LINT_RULES.enumValueChanged,
        `ALTER TYPE "${lastName(statement.typeName)}" RENAME VALUE '${statement.oldVal}' TO '${statement.newVal}'`,
      );
    }
    return;
  }
  if ('VacuumStmt' in node) {
    const statement = node.VacuumStmt;
    const full = (statement.options ?? []).some((option) => 'DefElem' in option && option.DefElem.defname === 'full');
    if (statement.is_vacuumcmd && full) {
      lint.report(LINT_RULES.tableRewrite, `VACUUM FULL${relationNames(statement.rels?.map(vacuumRelation))}`);
    }
    return;
  }
  if ('ClusterStmt' in node) {
    return lint.report(LINT_RULES.tableRewrite, `CLUSTER${relationNames([node.ClusterStmt.relation])}`);
  }
  if ('TruncateStmt' in node) {
    const relations = rangeVars(node.TruncateStmt.relations).filter((relation) => isExisting(relation, lint));
    if (relations.length) lint.report(LINT_RULES.truncate, `TRUNCATE${relationNames(relations)}`);
    return;
  }
  if ('LockStmt' in node) {
    return lint.report(LINT_RULES.lockTable, `LOCK TABLE${relationNames(rangeVars(node.LockStmt.relations))}`);
  }
  if ('ReindexStmt' in node) {
    const statement = node.ReindexStmt;
    const concurrent = (statement.params ?? []).some(
      (param) => 'DefElem' in param && param.DefElem.defname === 'concurrently',
    );
    const subject = `REINDEX ${(statement.kind ?? '').replace('REINDEX_OBJECT_', '')}${
      statement.relation?.relname ? ` "${statement.relation.relname}"` : statement.name ? ` "${statement.name}"` : ''
    }`;
    if (!concurrent) lint.report(LINT_RULES.reindexWithoutConcurrently, subject);
    else if (lint.context.transactional) lint.report(LINT_RULES.concurrentlyInTransaction, `${subject} CONCURRENTLY`);
    return;
  }
  if ('UpdateStmt' in node || 'DeleteStmt' in node) {
    const statement = 'UpdateStmt' in node ? node.UpdateStmt : node.DeleteStmt;
    if (!statement.whereClause && lint.context.transactional && isExisting(statement.relation, lint)) {
      lint.report(
        LINT_RULES.wholeTableUpdate,
        `${'UpdateStmt' in node ? 'UPDATE' : 'DELETE FROM'} "${statement.relation?.relname}" without WHERE`,
      );
    }
  }
}

function vacuumRelation(node: Node): RangeVar | undefined {
  return 'VacuumRelation' in node ? node.VacuumRelation.relation : undefined;
}

function rangeVars(nodes: readonly Node[] | undefined): RangeVar[] {
  return (nodes ?? []).flatMap((node) => ('RangeVar' in node ? [node.RangeVar] : []));
}

function relationNames(relations: readonly (RangeVar | undefined)[] | undefined): string {
  const names = (relations ?? []).flatMap((relation) => (relation?.relname ? [`"${relation.relname}"`] : []));
  return names.length ? ` ${names.join(', ')}` : '';
}

function lastName(names: readonly Node[] | undefined): string | undefined {
  const last = names?.at(-1);
  return last && 'String' in last ? last.String.sval : undefined;
}

/** The type's own name, without `pg_catalog.`: `int4`, `timestamp`, `bpchar`, `serial`... */
function typeNameOf(typeName: TypeName | undefined): string | undefined {
  return lastName(typeName?.names);
}

function constraintsOf(column: ColumnDef): Constraint[] {
  return (column.constraints ?? []).flatMap((raw): Constraint[] => ('Constraint' in raw ? [raw.Constraint] : []));
}

const THIRTY_TWO_BIT_TYPES = new Set(['int4', 'int2', 'serial', 'serial4', 'serial2', 'smallserial', 'integer']);

/** Column types that are a poor choice on any table, new or existing. */
function lintColumnType(table: string | undefined, column: string | undefined, typeName: TypeName | undefined, lint: NodeLint): void {
  const name = typeNameOf(typeName);
  const subject = `"${table}"."${column}"`;
  if (name === 'timestamp') lint.report(LINT_RULES.timestampWithoutTimeZone, `${subject} timestamp`);
  // Quoted "char" (one byte, no pg_catalog prefix) is another type; char(n) and character parse to pg_catalog.bpchar.
  const qualified = typeName?.names?.length === 2 || name === 'bpchar';
  if (name === 'bpchar' && qualified) lint.report(LINT_RULES.fixedLengthChar, `${subject} char(n)`);
  if (name === 'json') lint.report(LINT_RULES.jsonColumn, `${subject} json`);
}

function lintCreateTable(create: CreateStmt, lint: NodeLint): void {
  recordCreated(create.relation, lint);
  const table = create.relation?.relname;
  const columns = new Map<string, ColumnDef>();
  const primaryKey: string[] = [];
  for (const element of create.tableElts ?? []) {
    if ('ColumnDef' in element) {
      const column = element.ColumnDef;
      if (column.colname) columns.set(column.colname, column);
      lintColumnType(table, column.colname, column.typeName, lint);
      if (constraintsOf(column).some((constraint) => constraint.contype === 'CONSTR_PRIMARY') && column.colname) {
        primaryKey.push(column.colname);
      }
    } else if ('Constraint' in element && element.Constraint.contype === 'CONSTR_PRIMARY') {
      for (const key of element.Constraint.keys ?? []) if ('String' in key && key.String.sval) primaryKey.push(key.String.sval);
    }
  }
  if (primaryKey.length !== 1) return;
  const type = typeNameOf(columns.get(primaryKey[0])?.typeName);
  if (type && THIRTY_TWO_BIT_TYPES.has(type)) {
    lint.report(LINT_RULES.thirtyTwoBitPrimaryKey, `"${table}"."${primaryKey[0]}" ${type} PRIMARY KEY`);
  }
}

function recordCreated(relation: RangeVar | undefined, lint: NodeLint): void {
  if (relation?.relname) lint.createdTables.add(relation.relname);
}

function isExisting(relation: RangeVar | undefined, lint: NodeLint): boolean {
  return !!relation?.relname && !lint.createdTables.has(relation.relname);
}

function lintIndex(index: IndexStmt, lint: NodeLint): void {
  if (index.idxname) lint.createdIndexes.add(index.idxname);
  const subject = `CREATE INDEX${index.idxname ? ` "${index.idxname}"` : ''} ON "${index.relation?.relname}"`;
  if (index.concurrent) {
    if (lint.context.transactional) lint.report(LINT_RULES.concurrentlyInTransaction, `${subject} CONCURRENTLY`);
  } else if (isExisting(index.relation, lint)) {
    lint.report(LINT_RULES.indexWithoutConcurrently, subject);
  }
}

const VOLATILE_FUNCTIONS = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'clock_timestamp',
  'timeofday',
  'nextval',
]);
const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

function lintAlterTable(alter: AlterTableStmt, lint: NodeLint): void {
  const table = alter.relation?.relname;
  if (!isExisting(alter.relation, lint)) return;
  for (const raw of alter.cmds ?? []) {
    if (!('AlterTableCmd' in raw)) continue;
    const command: AlterTableCmd = raw.AlterTableCmd;
    switch (command.subtype) {
      case 'AT_AddColumn':
        lintAddColumn(table, command.def && 'ColumnDef' in command.def ? command.def.ColumnDef : undefined, lint);
        break;
      case 'AT_AlterColumnType': {
        lint.report(LINT_RULES.columnTypeChange, `ALTER TABLE "${table}" ALTER COLUMN "${command.name}" TYPE`);
        const column = command.def && 'ColumnDef' in command.def ? command.def.ColumnDef : undefined;
        lintColumnType(table, command.name, column?.typeName, lint);
        break;
      }
      case 'AT_DropColumn':
        lint.report(LINT_RULES.drop, `ALTER TABLE "${table}" DROP COLUMN "${command.name}"`);
        break;
      case 'AT_SetNotNull':
        if (!lint.provenNotNull.has(`${table}.${command.name}`)) {
          lint.report(LINT_RULES.setNotNull, `ALTER TABLE "${table}" ALTER COLUMN "${command.name}" SET NOT NULL`);
        }
        break;
      case 'AT_ValidateConstraint': {
        const column = command.name ? lint.notNullChecks.get(command.name) : undefined;
        if (column) lint.provenNotNull.add(column);
        break;
      }
      case 'AT_AddConstraint': {
        const constraint = command.def && 'Constraint' in command.def ? command.def.Constraint : undefined;
        if (constraint) lintAddConstraint(table, constraint, lint);
        break;
      }
    }
  }
}

function lintAddConstraint(table: string | undefined, constraint: Constraint, lint: NodeLint): void {
  const subject = `ALTER TABLE "${table}" ADD CONSTRAINT${constraint.conname ? ` "${constraint.conname}"` : ''}`;
  switch (constraint.contype) {
    case 'CONSTR_FOREIGN':
      if (!constraint.skip_validation) lint.report(LINT_RULES.foreignKeyWithoutNotValid, `${subject} FOREIGN KEY`);
      break;
    case 'CONSTR_CHECK': {
      if (!constraint.skip_validation) lint.report(LINT_RULES.checkWithoutNotValid, `${subject} CHECK`);
      const column = notNullColumn(constraint.raw_expr);
      if (column && constraint.conname) lint.notNullChecks.set(constraint.conname, `${table}.${column}`);
      break;
    }
    case 'CONSTR_UNIQUE':
      if (!constraint.indexname) lint.report(LINT_RULES.uniqueWithoutIndex, `${subject} UNIQUE`);
      break;
    case 'CONSTR_PRIMARY':
      if (!constraint.indexname) lint.report(LINT_RULES.primaryKeyWithoutIndex, `${subject} PRIMARY KEY`);
      break;
  }
}

/** The column of `col IS NOT NULL`, the expression of a check that lets SET NOT NULL skip its scan. */
function notNullColumn(expression: Node | undefined): string | undefined {
  const test = expression && 'NullTest' in expression ? expression.NullTest : undefined;
  if (test?.nulltesttype !== 'IS_NOT_NULL' || !test.arg || !('ColumnRef' in test.arg)) return undefined;
  const fields = test.arg.ColumnRef.fields ?? [];
  return fields.length === 1 ? lastName(fields) : undefined;
}

function lintAddColumn(table: string | undefined, column: ColumnDef | undefined, lint: NodeLint): void {
  if (!column) return;
  const subject = `ALTER TABLE "${table}" ADD COLUMN "${column.colname}"`;
  lintColumnType(table, column.colname, column.typeName, lint);
  const constraints = constraintsOf(column);
  const kinds = new Set(constraints.map((constraint) => constraint.contype));
  const typeName = column.typeName?.names?.at(-1);
  const isSerial = !!typeName && 'String' in typeName && SERIAL_TYPES.has(typeName.String.sval ?? '');
  const generates = kinds.has('CONSTR_GENERATED') || kinds.has('CONSTR_IDENTITY') || isSerial;
  if ((kinds.has('CONSTR_NOTNULL') || kinds.has('CONSTR_PRIMARY')) && !kinds.has('CONSTR_DEFAULT') && !generates) {
    lint.report(LINT_RULES.notNullWithoutDefault, subject);
  }
  const defaultExpression = constraints.find((constraint) => constraint.contype === 'CONSTR_DEFAULT')?.raw_expr;
  if (isSerial || (defaultExpression && callsVolatileFunction(defaultExpression))) {
    lint.report(LINT_RULES.volatileDefault, subject);
  }
  if (kinds.has('CONSTR_FOREIGN')) lint.report(LINT_RULES.foreignKeyWithoutNotValid, `${subject} REFERENCES`);
  if (kinds.has('CONSTR_UNIQUE')) lint.report(LINT_RULES.uniqueWithoutIndex, `${subject} UNIQUE`);
  if (kinds.has('CONSTR_PRIMARY')) lint.report(LINT_RULES.primaryKeyWithoutIndex, `${subject} PRIMARY KEY`);
  const stored = constraints.some((constraint) => constraint.contype === 'CONSTR_GENERATED');
  if (stored) lint.report(LINT_RULES.storedGeneratedColumn, `${subject} GENERATED ALWAYS AS (...) STORED`);
}

/** Walks an expression tree for a call of a volatile function (`now()` is stable: evaluated once, no rewrite). */
function callsVolatileFunction(expression: unknown): boolean {
  if (Array.isArray(expression)) return expression.some(callsVolatileFunction);
  if (!expression || typeof expression !== 'object') return false;
  const call = (expression as { FuncCall?: { funcname?: Node[] } }).FuncCall;
  const name = call?.funcname?.at(-1);
  if (name && 'String' in name && VOLATILE_FUNCTIONS.has(name.String.sval ?? '')) return true;
  return Object.values(expression).some(callsVolatileFunction);
}

function lintRename(rename: RenameStmt, lint: NodeLint): void {
  if (rename.renameType === 'OBJECT_TYPE') {
    const items = rename.object && 'List' in rename.object ? rename.object.List.items : undefined;
    lint.report(LINT_RULES.enumValueChanged, `ALTER TYPE "${lastName(items)}" RENAME TO "${rename.newname}" (type recreated)`);
    return;
  }
  const table = rename.relation?.relname;
  const existing = isExisting(rename.relation, lint);
  if (rename.renameType === 'OBJECT_TABLE' && !existing && rename.newname) lint.createdTables.add(rename.newname);
  if (!existing) return;
  if (rename.renameType === 'OBJECT_COLUMN') {
    lint.report(LINT_RULES.rename, `ALTER TABLE "${table}" RENAME COLUMN "${rename.subname}" TO "${rename.newname}"`);
  } else if (rename.renameType === 'OBJECT_TABLE') {
    lint.report(LINT_RULES.rename, `ALTER TABLE "${table}" RENAME TO "${rename.newname}"`);
  }
}

function lintDrop(drop: DropStmt, lint: NodeLint): void {
  if (drop.removeType === 'OBJECT_INDEX') {
    const names = (drop.objects ?? []).flatMap((object) => {
      const name = 'List' in object ? lastName(object.List.items) : undefined;
      return name ? [name] : [];
    });
    const subject = `DROP INDEX${names.map((name) => ` "${name}"`).join(',')}`;
    if (drop.concurrent) {
      if (lint.context.transactional) lint.report(LINT_RULES.concurrentlyInTransaction, `${subject} CONCURRENTLY`);
    } else if (names.some((name) => !lint.createdIndexes.has(name))) {
      lint.report(LINT_RULES.dropIndexWithoutConcurrently, subject);
    }
    return;
  }
  if (drop.removeType !== 'OBJECT_TABLE') return;
  for (const object of drop.objects ?? []) {
    const parts = 'List' in object ? (object.List.items ?? []) : [];
    const last = parts.at(-1);
    const table = last && 'String' in last ? last.String.sval : undefined;
    if (table && !lint.createdTables.has(table)) lint.report(LINT_RULES.drop, `DROP TABLE "${table}"`);
  }
}
