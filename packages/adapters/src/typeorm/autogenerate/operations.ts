/**
 * What a statement of TypeORM's schema builder does, in one line for the summary printed after autogenerate:
 * `+ table users`, `~ column users.email`, `+ index IDX_... on users`, `- foreign key FK_... on posts`.
 * Statements on TypeORM's own `typeorm_metadata` table are bookkeeping and have no line.
 */
export function describeStatement(sql: string, metadataTable = 'typeorm_metadata'): string | undefined {
  const text = sql.trim();
  const { bookkeeping, metadataCreated, rules } = rulesFor(metadataTable);
  if (bookkeeping.test(text)) return undefined;
  if (metadataCreated.test(text)) return `+ table ${metadataTable}`;
  for (const [pattern, describe] of rules) {
    const match = pattern.exec(text);
    if (match) return describe(match);
  }
  return `~ ${text.split(/\s+/).slice(0, 3).join(' ').toLowerCase()}`;
}

/**
 * One line per change, in the order of `up`, without repeats (TypeORM alters a column's type in several statements,
 * and a summary that said `~ column users.role` four times would hide the other changes).
 */
export function summarizeStatements(sqls: readonly string[], metadataTable?: string): string[] {
  const lines = new Set<string>();
  for (const sql of sqls) {
    const line = describeStatement(sql, metadataTable);
    if (line) lines.add(line);
  }
  return [...lines];
}

interface DescriptionRules {
  readonly bookkeeping: RegExp;
  readonly metadataCreated: RegExp;
  readonly rules: readonly (readonly [RegExp, (m: RegExpExecArray) => string])[];
}

/** The patterns, compiled once per metadata table name: a summary describes every statement of a change. */
const rulesByMetadataTable = new Map<string, DescriptionRules>();

function rulesFor(metadataTable: string): DescriptionRules {
  let found = rulesByMetadataTable.get(metadataTable);
  if (found) return found;
  const name = String.raw`((?:"[^"]+"\.)?"[^"]+")`;
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [new RegExp(`^CREATE TABLE ${name}`), (m) => `+ table ${bare(m[1])}`],
    [new RegExp(`^DROP TABLE ${name}`), (m) => `- table ${bare(m[1])} (destructive: its rows are lost)`],
    [new RegExp(`^ALTER TABLE ${name} RENAME TO ${name}`), (m) => `~ table ${bare(m[1])} -> ${bare(m[2])}`],
    [new RegExp(`^ALTER SEQUENCE ${name} RENAME TO ${name}`), (m) => `~ sequence ${bare(m[1])} -> ${bare(m[2])}`],
    [new RegExp(`^ALTER INDEX ${name} RENAME TO ${name}`), (m) => `~ index ${bare(m[1])} -> ${bare(m[2])}`],
    [new RegExp(`^CREATE (UNIQUE )?INDEX ${name} ON ${name}`), (m) => `+ ${m[1] ? 'unique ' : ''}index ${bare(m[2])} on ${bare(m[3])}`],
    [new RegExp(`^DROP INDEX ${name}`), (m) => `- index ${bare(m[1])}`],
    [new RegExp(`^CREATE TYPE ${name} AS ENUM`), (m) => `+ enum ${bare(m[1])}`],
    [new RegExp(`^DROP TYPE ${name}`), (m) => `- enum ${bare(m[1])}`],
    [new RegExp(`^ALTER TYPE ${name} RENAME TO ${name}`), (m) => `~ enum ${bare(m[1])} -> ${bare(m[2])}`],
    [new RegExp(`^ALTER TYPE ${name} ADD VALUE (?:IF NOT EXISTS )?'((?:[^']|'')*)'`), (m) => `~ enum ${bare(m[1])} + '${m[2]}'`],
    [new RegExp(`^CREATE (MATERIALIZED )?VIEW ${name}`), (m) => `+ ${m[1] ? 'materialized ' : ''}view ${bare(m[2])}`],
    [new RegExp(`^DROP (MATERIALIZED )?VIEW ${name}`), (m) => `- ${m[1] ? 'materialized ' : ''}view ${bare(m[2])}`],
    [new RegExp(`^COMMENT ON COLUMN ${name}\\."([^"]+)"`), (m) => `~ comment on ${bare(m[1])}.${m[2]}`],
    [new RegExp(`^COMMENT ON TABLE ${name}`), (m) => `~ comment on ${bare(m[1])}`],
    [new RegExp(`^CREATE SCHEMA (?:IF NOT EXISTS )?${name}`), (m) => `+ schema ${bare(m[1])}`],
    [new RegExp(`^CREATE EXTENSION (?:IF NOT EXISTS )?${name}`), (m) => `+ extension ${bare(m[1])}`],
    [new RegExp(`^ALTER TABLE ${name} ADD CONSTRAINT ${name} (FOREIGN KEY|UNIQUE|CHECK|PRIMARY KEY|EXCLUDE)`), (m) => `+ ${constraintKind(m[3])} ${bare(m[2])} on ${bare(m[1])}`],
    [new RegExp(`^ALTER TABLE ${name} DROP CONSTRAINT ${name}`), (m) => `- constraint ${bare(m[2])} on ${bare(m[1])}`],
    [new RegExp(`^ALTER TABLE ${name} RENAME COLUMN "([^"]+)" TO "([^"]+)"`), (m) => `~ column ${bare(m[1])}.${m[2]} -> ${m[3]}`],
    [new RegExp(`^ALTER TABLE ${name} RENAME CONSTRAINT ${name} TO ${name}`), (m) => `~ constraint ${bare(m[2])} -> ${bare(m[3])} on ${bare(m[1])}`],
    [new RegExp(`^ALTER TABLE ${name} ADD "([^"]+)"`), (m) => `+ column ${bare(m[1])}.${m[2]}`],
    [new RegExp(`^ALTER TABLE ${name} DROP COLUMN "([^"]+)"`), (m) => `- column ${bare(m[1])}.${m[2]} (destructive: its values are lost)`],
    [new RegExp(`^ALTER TABLE ${name} ALTER COLUMN "([^"]+)"`), (m) => `~ column ${bare(m[1])}.${m[2]}`],
    [new RegExp(`^ALTER TABLE ${name}`), (m) => `~ table ${bare(m[1])}`],
    [new RegExp(`^ALTER SEQUENCE ${name}`), (m) => `~ sequence ${bare(m[1])}`],
  ];
  found = {
    bookkeeping: new RegExp(`^(?:INSERT INTO|DELETE FROM|UPDATE) (?:"[^"]+"\\.)?"${metadataTable}"`),
    metadataCreated: new RegExp(`^CREATE TABLE (?:"[^"]+"\\.)?"${metadataTable}"`),
    rules,
  };
  rulesByMetadataTable.set(metadataTable, found);
  return found;
}

function constraintKind(keyword: string): string {
  switch (keyword) {
    case 'FOREIGN KEY':
      return 'foreign key';
    case 'UNIQUE':
      return 'unique constraint';
    case 'CHECK':
      return 'check';
    case 'PRIMARY KEY':
      return 'primary key';
    default:
      return 'exclusion constraint';
  }
}

/** `"public"."users"` -> `public.users`, `"users"` -> `users`. */
function bare(quoted: string): string {
  return quoted.replace(/"/g, '');
}
