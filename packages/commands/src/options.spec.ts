import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  closestName,
  DEFAULT_LOCK_TIMEOUT_SECONDS,
  editDistance,
  hasDocument,
  OPTIONS,
  optionsOf,
  parseLockTimeout,
  rawTexts,
  readCliOptions,
  readNxOptions,
  usage,
  UsageError,
  verbOf,
  VERBS,
  type Verb,
} from './options';

/** The message of the usage error `read` throws, or a failure when it throws something else or nothing. */
function usageMessage(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('no usage error');
}

const option = (name: string) => OPTIONS.find((candidate) => candidate.name === name)!;

describe('the option table', () => {
  it('names each option once, in kebab case, for verbs that exist', () => {
    const names = OPTIONS.map((candidate) => candidate.name);
    expect(new Set(names).size).toBe(names.length);
    for (const candidate of OPTIONS) {
      expect(candidate.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(candidate.verbs.length).toBeGreaterThan(0);
      for (const verb of candidate.verbs) expect(VERBS).toContain(verb);
    }
  });

  it('gives every verb --verbose and the project location on the CLI, and no --project there', () => {
    for (const verb of VERBS) {
      const names = optionsOf(verb, 'cli').map((candidate) => candidate.name);
      expect(names).toEqual(expect.arrayContaining(['verbose', 'project-root', 'data-source', 'migrations-dir', 'help']));
      expect(names).not.toContain('project');
    }
  });

  it('gives the generators --project and no data source on the Nx route', () => {
    for (const verb of ['revision', 'merge', 'rebase', 'import-typeorm'] as Verb[]) {
      const names = optionsOf(verb, 'nx').map((candidate) => candidate.name);
      expect(names).toContain('project');
      expect(names).not.toContain('data-source');
      expect(names).not.toContain('project-root');
    }
    expect(optionsOf('migrate', 'nx').map((candidate) => candidate.name)).toEqual(
      expect.arrayContaining(['data-source', 'migrations-dir', 'to', 'sql', 'from', 'yes', 'lock-timeout', 'json', 'output']),
    );
  });

  it('lists every verb and option in the help', () => {
    const text = usage();
    for (const verb of VERBS) expect(text).toContain(`  ${verb} `);
    for (const candidate of OPTIONS.filter((entry) => entry.route !== 'nx')) expect(text).toContain(`--${candidate.name}`);
    expect(text).toContain('Exit codes: 0 done, 1 a problem to fix, 2 bad usage.');
  });
});

describe('the README', () => {
  it("lists each verb's own options in the contract's table, as the option table has them", () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('<!-- section: contract -->'), readme.indexOf('<!-- /section: contract -->'));
    const common = ['project-root', 'data-source', 'migrations-dir', 'verbose', 'help'];
    for (const verb of VERBS) {
      const row = section.split('\n').find((line) => line.startsWith(`| \`${verb}\``));
      expect(row).toBeDefined();
      const listed = [...row!.split('|')[3]!.matchAll(/`--([a-z-]+)`/g)].map((match) => match[1]).sort();
      const own = optionsOf(verb, 'cli').map((entry) => entry.name).filter((name) => !common.includes(name)).sort();
      expect(listed).toEqual(own);
    }
  });
});

describe('readCliOptions', () => {
  it('reads --name=value, --name value, switches and short forms', () => {
    const options = readCliOptions('migrate', ['--to', '0002', '--sql', '--from=base', '-y', '--lock-timeout', '7.5']);
    expect(options).toMatchObject({ to: '0002', sql: true, from: 'base', yes: true, lockTimeoutSeconds: 7.5 });
    expect(readCliOptions('revision', ['-m', 'Add users', '--empty'])).toMatchObject({ message: 'Add users', empty: true });
  });

  it('takes revisions exactly as typed: leading zeros, signs, all digits', () => {
    expect(readCliOptions('migrate', ['--to=0002']).to).toBe('0002');
    expect(readCliOptions('migrate', ['--to=1234']).to).toBe('1234');
    expect(readCliOptions('migrate', ['--to=+1']).to).toBe('+1');
    expect(readCliOptions('migrate', ['--to=-1']).to).toBe('-1');
    expect(readCliOptions('migrate', ['--to', '-1']).to).toBe('-1');
    expect(readCliOptions('revision', ['-m', 'x', '--rev-id=123456789012']).revId).toBe('123456789012');
    expect(readCliOptions('merge', ['-m', 'x', '--revisions=0002,0003']).revisions).toEqual(['0002', '0003']);
    expect(readCliOptions('revision', ['-m', 'x', '--head=0001', '--depends-on=0002', '--depends-on=0003'])).toMatchObject({
      head: '0001',
      dependsOn: ['0002', '0003'],
    });
  });

  it('gives every verb the same lock timeout default', () => {
    for (const verb of ['migrate', 'status', 'history', 'check', 'revision'] as Verb[]) {
      expect(readCliOptions(verb, []).lockTimeoutSeconds).toBe(DEFAULT_LOCK_TIMEOUT_SECONDS);
    }
    expect(DEFAULT_LOCK_TIMEOUT_SECONDS).toBe(60);
  });

  it('reads --no-flag and --flag=false as off', () => {
    expect(readCliOptions('migrate', ['--sql', '--no-sql']).sql).toBe(false);
    expect(readCliOptions('migrate', ['--sql=false']).sql).toBe(false);
    expect(readCliOptions('migrate', ['--sql=true']).sql).toBe(true);
  });

  it.each<[Verb, string[], string]>([
    ['migrate', ['--too=head'], "Unknown option '--too'; did you mean '--to'?"],
    ['migrate', ['--sq'], "Unknown option '--sq'; did you mean '--sql'?"],
    ['migrate', ['--dry-run'], "Unknown option '--dry-run'; --sql prints the SQL of the move without running it."],
    ['migrate', ['--lock-timout=5'], "Unknown option '--lock-timout'; did you mean '--lock-timeout'?"],
    ['migrate', ['--target=head'], "Unknown option '--target'; did you mean '--to'?"],
    ['migrate', ['--project=backend'], "Unknown option '--project'; without Nx, a project is its folder: '--project-root=DIR'."],
    ['status', ['--check-head'], "Unknown option '--check-head'; did you mean '--check-heads'?"],
    ['status', ['--to=head'], "Unknown option '--to' for status; it belongs to migrate, stamp."],
    ['revision', ['-m', 'x', '--revid=0002'], "Unknown option '--revid'; did you mean '--rev-id'?"],
    ['migrate', ['-x'], "Unknown option '-x'; migrate takes --project-root, --data-source, --migrations-dir, --to, --sql, --from, --step-lock-timeout,"],
    ['migrate', ['head'], "Unexpected argument 'head' (for a target: --to=head); migrate takes options only (--name=value)."],
    ['status', ['now'], "Unexpected argument 'now'; status takes options only (--name=value)."],
    ['migrate', ['--to'], '--to needs a value: --to=REV.'],
    ['migrate', ['--to', '--sql'], '--to needs a value: --to=REV.'],
    ['migrate', ['--to='], '--to needs a value: --to=REV.'],
    ['migrate', ['--to=+0'], "--to=+0: '+0' is not a valid target"],
    ['migrate', ['--to=-0'], "--to=-0: '-0' is not a valid target"],
    ['migrate', ['--to=a b'], "--to=a b: 'a b' is not a valid target"],
    ['migrate', ['--sql', '--from=a-b'], "--from=a-b: 'a-b' is not a revision"],
    ['migrate', ['--from=base'], '--from only goes with --sql'],
    ['migrate', ['--sql=maybe'], '--sql=maybe: --sql is a switch; write --sql or --no-sql.'],
    ['migrate', ['--no-to'], '--to needs a value: --to=REV.'],
    ['migrate', ['--lock-timeout=abc'], '--lock-timeout=abc is not a number of seconds (0 or more).'],
    ['history', ['--lock-timeout=-1'], '--lock-timeout=-1 is not a number of seconds (0 or more).'],
    ['history', ['--range=oops'], '--range=oops is not START:END'],
    ['history', ['--format=xml'], '--format=xml is not known; use one of text, graph, mermaid, json.'],
    ['revision', ['-m', 'x', '--against=staging'], '--against=staging is not known; use one of migrations, database.'],
    ['revision', ['-m', 'x', '--rev-id=a-b'], '--rev-id=a-b is not a valid name'],
    ['revision', ['-m', 'x', '--branch-label=head'], '--branch-label=head is not a valid name'],
    ['stamp', [], 'stamp needs --to=REV|head|heads|base.'],
    ['status', ['--output=status.json'], '--output writes the document of --json to a file; add --json.'],
    ['migrate', ['--output=schema.sql'], '--output writes the document of --json or --sql to a file; add --json or --sql.'],
    ['migrate', ['--output='], '--output needs a value: --output=FILE.'],
    ['revision', ['-m', ' '], '--message needs a value: --message="Add users table".'],
  ])('%s %j: %s', (verb, argv, message) => {
    expect(usageMessage(() => readCliOptions(verb, argv))).toContain(message);
  });

  it('takes --output with the document of --sql, --json or history', () => {
    expect(readCliOptions('migrate', ['--sql', '--from=base', '--output=schema.sql']).output).toBe('schema.sql');
    expect(readCliOptions('status', ['--json', '--output=status.json']).output).toBe('status.json');
    expect(readCliOptions('history', ['--format=mermaid', '--output=graph.md']).output).toBe('graph.md');
  });
});

describe('readNxOptions', () => {
  it('recovers what Nx turned into numbers from the raw arguments', () => {
    expect(readNxOptions('migrate', { to: 2 }, ['--to=0002']).to).toBe('0002');
    expect(readNxOptions('migrate', { to: 2 }, ['--to', '0002']).to).toBe('0002');
    expect(readNxOptions('migrate', { to: 1 }, ['--to=+1']).to).toBe('+1');
    expect(readNxOptions('migrate', { to: -1 }, ['--to=-1']).to).toBe('-1');
    expect(readNxOptions('migrate', { to: 1234 }, ['--to=1234']).to).toBe('1234');
    expect(readNxOptions('migrate', { to: 1000 }, ['--to=1e3']).to).toBe('1e3');
    expect(readNxOptions('revision', { message: 'x', revId: 123456789012 }, ['g', 'migration', '--rev-id=123456789012']).revId).toBe(
      '123456789012',
    );
    expect(readNxOptions('revision', { message: 2024 }, ['g', 'migration', '-m', '2024']).message).toBe('2024');
    expect(
      readNxOptions('revision', { message: 'x', dependsOn: [1234, '0005'] }, ['--depends-on=1234', '--depends-on', '0005']).dependsOn,
    ).toEqual(['1234', '0005']);
  });

  it('refuses what the raw arguments show to be empty or not a target', () => {
    expect(usageMessage(() => readNxOptions('migrate', { to: 0 }, ['--to=']))).toBe('--to needs a value: --to=REV.');
    expect(usageMessage(() => readNxOptions('migrate', { to: 0 }, ['--to=+0']))).toContain("'+0' is not a valid target");
    expect(usageMessage(() => readNxOptions('migrate', { to: 0 }, ['--to=-0']))).toContain("'-0' is not a valid target");
    expect(usageMessage(() => readNxOptions('migrate', { to: true }, ['--to']))).toBe('--to needs a value: --to=REV.');
  });

  it('refuses a number it cannot trace to what was typed, saying how to type it', () => {
    expect(usageMessage(() => readNxOptions('migrate', { to: 2 }, []))).toBe(
      'Nx read --to as number 2 and the text as typed is not in the arguments it kept; type it on the command line as ' +
        '--to=TEXT (in project.json or nx.json, as a JSON string: "to": "TEXT").',
    );
    expect(usageMessage(() => readNxOptions('migrate', { to: 2 }, undefined))).toContain('Nx read --to as number 2');
  });

  it('takes strings as they are, and what the target configuration sets', () => {
    expect(
      readNxOptions('migrate', { dataSource: 'apps/api/src/data-source.ts', migrationsDir: 'apps/api/m', to: 'head', lockTimeout: 30 }, []),
    ).toMatchObject({ to: 'head', lockTimeoutSeconds: 30, dataSource: 'apps/api/src/data-source.ts' });
    expect(readNxOptions('status', { checkHeads: true, lockTimeout: '5' }, ['--check-heads', '--lock-timeout=5'])).toMatchObject({
      checkHeads: true,
      lockTimeoutSeconds: 5,
    });
    expect(readNxOptions('merge', { project: 'api', message: 'Merge', revisions: ['0002', '0003'] }, [])).toMatchObject({
      project: 'api',
      revisions: ['0002', '0003'],
    });
  });

  it('names an unknown option and the closest known one, whichever way Nx spelt the key', () => {
    expect(usageMessage(() => readNxOptions('migrate', { 'dry-run': true }, ['--dry-run']))).toBe(
      "Unknown option '--dry-run'; --sql prints the SQL of the move without running it.",
    );
    expect(usageMessage(() => readNxOptions('migrate', { dryRun: true }, ['--dryRun']))).toContain("'--dry-run'");
    expect(usageMessage(() => readNxOptions('migrate', { sq: true }, ['--sq']))).toBe("Unknown option '--sq'; did you mean '--sql'?");
    expect(usageMessage(() => readNxOptions('migrate', { too: 'head' }, ['--too=head']))).toBe(
      "Unknown option '--too'; did you mean '--to'?",
    );
    expect(usageMessage(() => readNxOptions('migrate', { 'check-heads': true }, []))).toBe(
      "Unknown option '--check-heads' for migrate; it belongs to status.",
    );
    expect(usageMessage(() => readNxOptions('revision', { message: 'x', dataSource: 'd.ts' }, []))).toContain("'--data-source'");
    expect(usageMessage(() => readNxOptions('migrate', { y: true }, ['-y']))).toContain("Unknown option '--y'");
  });

  it('refuses positional arguments', () => {
    expect(usageMessage(() => readNxOptions('migrate', { _: ['head'] }, ['head']))).toBe(
      "Unexpected argument 'head' (for a target: --to=head); migrate takes options only (--name=value).",
    );
  });

  it('reads the lock timeout the same way as the CLI', () => {
    expect(usageMessage(() => readNxOptions('history', { lockTimeout: 'abc' }, ['--lock-timeout=abc']))).toBe(
      usageMessage(() => readCliOptions('history', ['--lock-timeout=abc'])),
    );
    expect(readNxOptions('history', {}, []).lockTimeoutSeconds).toBe(readCliOptions('history', []).lockTimeoutSeconds);
  });

  it('reads booleans Nx passes as text', () => {
    expect(readNxOptions('migrate', { sql: 'true' }, []).sql).toBe(true);
    expect(usageMessage(() => readNxOptions('migrate', { sql: 3 }, []))).toContain('--sql is a switch');
  });
});

describe('rawTexts', () => {
  it('finds every spelling of an option and leaves other arguments alone', () => {
    const raw = ['g', 'migration', '--rev-id=0001', '--revId', '0002', '--rev-idx=9', '-m', 'x', '--head', '--empty'];
    expect(rawTexts(option('rev-id'), raw)).toEqual(['0001', '0002']);
    expect(rawTexts(option('message'), raw)).toEqual(['x']);
    expect(rawTexts(option('head'), raw)).toEqual([]);
    expect(rawTexts(option('to'), ['--to', '-1'])).toEqual(['-1']);
    expect(rawTexts(option('to'), ['--to=a=b'])).toEqual(['a=b']);
  });
});

describe('words', () => {
  it('measures edit distance', () => {
    expect(editDistance('too', 'to')).toBe(1);
    expect(editDistance('sq', 'sql')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('stmap', 'stamp')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only names near enough to be a typo', () => {
    expect(closestName('too', ['to', 'sql', 'from'])).toBe('to');
    expect(closestName('frobnicate', ['to', 'sql', 'from'])).toBeUndefined();
  });

  it('reads verbs, migration being revision', () => {
    expect(verbOf('migration')).toBe('revision');
    expect(verbOf('import-typeorm')).toBe('import-typeorm');
    expect(usageMessage(() => verbOf('stmap'))).toBe("Unknown command 'stmap'; did you mean 'stamp'?");
  });

  it('parses lock timeouts', () => {
    expect(parseLockTimeout('0')).toBe(0);
    expect(parseLockTimeout('2.5')).toBe(2.5);
    for (const text of ['', ' ', 'x', '-1', 'Infinity']) expect(() => parseLockTimeout(text)).toThrow(UsageError);
  });

  it('knows which commands have a document for --output', () => {
    expect(hasDocument('migrate', { json: false, sql: true })).toBe(true);
    expect(hasDocument('migrate', { json: false, sql: false })).toBe(false);
    expect(hasDocument('history', { json: false, sql: false })).toBe(true);
    expect(hasDocument('stamp', { json: true, sql: false })).toBe(true);
  });
});
