import type { SqlStatement } from '../schema-diff';

/**
 * TypeORM's builder writes the name of the database it diffed against into the `typeorm_metadata` rows of
 * generated columns (`INSERT ... ("database", ...) VALUES ($1, ...)` with `$1` = that name), and reads them back
 * filtered by the current database's name. Written into a migration as a literal, the shadow database's name would
 * make every other database (staging, production, the next shadow) miss the row and see a spurious change of the
 * generated column. We bind `current_database()` instead.
 */
export function bindCurrentDatabase(statement: SqlStatement, database: string, tableName = 'typeorm_metadata'): SqlStatement {
  const parameters = statement.parameters;
  if (!parameters || !statement.sql.includes(`"${tableName}"`)) return statement;
  const placeholder = databasePlaceholder(statement.sql);
  if (placeholder === undefined || parameters[placeholder - 1] !== database) return statement;
  const sql = statement.sql.replace(/\$(\d+)\b/g, (whole, digits: string) => {
    const n = Number(digits);
    if (n === placeholder) return 'current_database()';
    return n > placeholder ? `$${n - 1}` : whole;
  });
  const rest = parameters.filter((_, index) => index !== placeholder - 1);
  return rest.length > 0 ? { sql, parameters: rest } : { sql };
}

/** The number of the placeholder bound to the "database" column, in an INSERT, UPDATE or DELETE of the table. */
function databasePlaceholder(sql: string): number | undefined {
  const insert = /^INSERT INTO [^(]+\(([^)]*)\) VALUES \(([^)]*)\)/.exec(sql);
  if (insert) {
    const columns = insert[1].split(',').map((column) => column.trim());
    const values = insert[2].split(',').map((value) => value.trim());
    const match = /^\$(\d+)$/.exec(values[columns.indexOf('"database"')] ?? '');
    return match ? Number(match[1]) : undefined;
  }
  const where = /"database" = \$(\d+)/.exec(sql);
  return where ? Number(where[1]) : undefined;
}
