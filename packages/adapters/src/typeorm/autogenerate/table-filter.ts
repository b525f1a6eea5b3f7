/**
 * Which tables autogenerate may touch: Alembic's `include_object`, by name or glob pattern, for tables the entities
 * do not own (created by an extension, another service, or by hand) and for entity tables managed elsewhere.
 *
 * A pattern without a dot is matched against the table's name in any schema (`legacy_*`); a pattern with a dot
 * against `schema.table` (`audit.*` is the whole `audit` schema). `*` is any run of characters, `?` one character.
 */
export interface TableFilterOptions {
  /** When given, only tables matching one of these are compared. */
  readonly include?: readonly string[];
  /** Tables matching one of these are never compared, created, changed, renamed or dropped. */
  readonly exclude?: readonly string[];
}

export interface TableFilter {
  /** Whether the table `schema.name` is in scope. */
  includes(schema: string, name: string): boolean;
}

export function tableFilter(options: TableFilterOptions = {}): TableFilter {
  const include = (options.include ?? []).map(compilePattern);
  const exclude = (options.exclude ?? []).map(compilePattern);
  return {
    includes(schema, name) {
      if (include.length > 0 && !include.some((matches) => matches(schema, name))) return false;
      return !exclude.some((matches) => matches(schema, name));
    },
  };
}

/** Patterns given as a list, or as one comma-separated option value (`--exclude=spatial_ref_sys,legacy_*`). */
export function splitPatterns(values: string | readonly string[] | undefined): string[] {
  if (values === undefined) return [];
  const list = typeof values === 'string' ? [values] : values;
  return list.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value.length > 0);
}

function compilePattern(pattern: string): (schema: string, name: string) => boolean {
  const regex = new RegExp(`^${pattern.split('').map(globCharacter).join('')}$`);
  return pattern.includes('.') ? (schema, name) => regex.test(`${schema}.${name}`) : (_, name) => regex.test(name);
}

function globCharacter(character: string): string {
  if (character === '*') return '.*';
  if (character === '?') return '.';
  return character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/**
 * Tables no entity owns that are never dropped: this tool's own (`nx_migrations_*`), TypeORM's metadata table,
 * its migrations table (a project adopted with `import-typeorm` keeps it) and its query-result cache.
 */
export function isToolTable(name: string, typeormTables: readonly string[]): boolean {
  return name.startsWith('nx_migrations_') || typeormTables.includes(name);
}
