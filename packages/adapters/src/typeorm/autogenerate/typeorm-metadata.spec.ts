import { bindCurrentDatabase } from './typeorm-metadata';

describe('bindCurrentDatabase', () => {
  it('binds current_database() instead of the diffed database name in a generated column row', () => {
    const statement = {
      sql: 'INSERT INTO "typeorm_metadata"("database", "schema", "table", "type", "name", "value") VALUES ($1, $2, $3, $4, $5, $6)',
      parameters: ['shadow_db', 'public', 'rectangle', 'GENERATED_COLUMN', 'area', '"width" * "height"'],
    };
    expect(bindCurrentDatabase(statement, 'shadow_db')).toEqual({
      sql: 'INSERT INTO "typeorm_metadata"("database", "schema", "table", "type", "name", "value") VALUES (current_database(), $1, $2, $3, $4, $5)',
      parameters: ['public', 'rectangle', 'GENERATED_COLUMN', 'area', '"width" * "height"'],
    });
  });

  it('renumbers the placeholders after the database one in a delete', () => {
    const statement = {
      sql: 'DELETE FROM "typeorm_metadata" WHERE "type" = $1 AND "name" = $2 AND "database" = $3 AND "schema" = $4 AND "table" = $5',
      parameters: ['GENERATED_COLUMN', 'area', 'shadow_db', 'public', 'rectangle'],
    };
    expect(bindCurrentDatabase(statement, 'shadow_db')).toEqual({
      sql: 'DELETE FROM "typeorm_metadata" WHERE "type" = $1 AND "name" = $2 AND "database" = current_database() AND "schema" = $3 AND "table" = $4',
      parameters: ['GENERATED_COLUMN', 'area', 'public', 'rectangle'],
    });
  });

  it('leaves a view row alone: TypeORM writes no database for views', () => {
    const statement = {
      sql: 'INSERT INTO "typeorm_metadata"("database", "schema", "table", "type", "name", "value") VALUES (DEFAULT, $1, DEFAULT, $2, $3, $4)',
      parameters: ['public', 'VIEW', 'active', 'SELECT 1'],
    };
    expect(bindCurrentDatabase(statement, 'shadow_db')).toBe(statement);
  });

  it('leaves statements on other tables alone, even with a parameter equal to the database name', () => {
    const statement = { sql: 'INSERT INTO "audit"("database") VALUES ($1)', parameters: ['shadow_db'] };
    expect(bindCurrentDatabase(statement, 'shadow_db')).toBe(statement);
  });
});
