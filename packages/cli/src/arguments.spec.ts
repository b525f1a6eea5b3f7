import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, resolveProject, UsageError } from './arguments';

describe('parseCommandLine', () => {
  it('reads a migrate command with every option', () => {
    const parsed = parseCommandLine([
      'migrate',
      '--to=3f2a+1',
      '--sql',
      '--from=base',
      '--lock-timeout=5',
      '--yes',
      '--json',
      '--verbose',
      '--project-root=apps/backend',
    ]);
    expect(parsed).toEqual({
      verb: 'migrate',
      options: expect.objectContaining({
        to: '3f2a+1',
        sql: true,
        from: 'base',
        lockTimeoutSeconds: 5,
        yes: true,
        json: true,
        verbose: true,
        projectRoot: 'apps/backend',
      }),
    });
  });

  it('reads history and stamp options', () => {
    expect(parseCommandLine(['history', '--range=base:head', '--format=graph', '--verbose'])).toMatchObject({
      verb: 'history',
      options: { range: 'base:head', format: 'graph', verbose: true },
    });
    expect(parseCommandLine(['stamp', '--to=base', '--purge'])).toMatchObject({ verb: 'stamp', options: { to: 'base', purge: true } });
  });

  it('reads the verbs of the generators, migration being another name of revision', () => {
    expect(parseCommandLine(['migration', '-m', 'Add users', '--empty', '--rev-id=0002'])).toMatchObject({
      verb: 'revision',
      options: { message: 'Add users', empty: true, revId: '0002' },
    });
    expect(parseCommandLine(['merge', '-m', 'Merge', '--revisions=0002', '--revisions=0003'])).toMatchObject({
      verb: 'merge',
      options: { revisions: ['0002', '0003'] },
    });
    expect(parseCommandLine(['rebase', '--onto=0002'])).toMatchObject({ verb: 'rebase', options: { onto: '0002' } });
    expect(parseCommandLine(['import-typeorm'])).toMatchObject({ verb: 'import-typeorm' });
  });

  it('asks for help with no command, help, or --help; the help of a command lists its own options', () => {
    for (const argv of [[], ['help'], ['--help']]) expect(parseCommandLine(argv)).toMatchObject({ verb: 'help', text: expect.stringContaining('Commands and their options:') });
    const help = parseCommandLine(['status', '--check-hed', '--help']);
    expect(help).toMatchObject({ verb: 'help', text: expect.stringContaining('Usage: nx-typeorm-migrations status [options]') });
    expect(help.verb === 'help' && help.text).toContain('--check-heads');
    expect(help.verb === 'help' && help.text).not.toContain('--purge');
  });

  it('reads the options every route shares: step timeouts, history --show and --branches, table filters', () => {
    expect(parseCommandLine(['migrate', '--step-lock-timeout=2s', '--step-statement-timeout=0', '--lock-retries=0'])).toMatchObject({
      options: { stepLockTimeout: '2s', stepStatementTimeout: '0', lockRetries: 0 },
    });
    expect(parseCommandLine(['history', '--show=0002', '--branches'])).toMatchObject({ options: { show: '0002', branches: true } });
    expect(parseCommandLine(['check', '--include=users', '--include=posts', '--exclude=audit_*'])).toMatchObject({
      options: { include: ['users', 'posts'], exclude: ['audit_*'] },
    });
  });

  it.each([
    [['migrat'], /Unknown command 'migrat'; did you mean 'migrate'\?/],
    [['frobnicate'], /Unknown command 'frobnicate'; use one of migrate, status, history, stamp, check, revision, merge, rebase, import-typeorm/],
    [['--to=head'], /The command comes first/],
    [['migrate', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['migrate', 'head'], /Unexpected argument 'head' \(for a target: --to=head\)/],
    [['migrate', '--from=base'], /--from only goes with --sql/],
    [['migrate', '--lock-timeout=abc'], /--lock-timeout=abc is not a number of seconds/],
    [['migrate', '--lock-timeout=-5'], /--lock-timeout=-5 is not a number of seconds/],
    [['status', '--purge'], /Unknown option '--purge' for status; it belongs to stamp/],
    [['history', '--format=xml'], /--format=xml is not known; use one of text, graph, mermaid, json/],
    [['stamp'], /stamp needs --to/],
    [['migrate', '--lock-retries=1.5'], /--lock-retries=1.5 is not a whole number/],
    [['migrate', '--step-lock-timeout=soon'], /--step-lock-timeout=soon is not a duration/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});

describe('resolveProject', () => {
  let workspace: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'ntm-cli-'));
    writeFileSync(join(workspace, 'nx.json'), '{}');
    mkdirSync(join(workspace, 'apps', 'api', 'src', 'db'), { recursive: true });
    writeFileSync(join(workspace, 'apps', 'api', 'src', 'db', 'data-source.ts'), '');
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  it('fills in the data source, the migrations folder, the project name and the workspace root', () => {
    const context = resolveProject({ projectRoot: 'apps/api' }, workspace, { DATABASE_URL: 'postgres://h/db' });
    expect(context).toEqual({
      workspaceRoot: workspace,
      projectRoot: join(workspace, 'apps', 'api'),
      projectName: 'api',
      dataSourceFile: join(workspace, 'apps', 'api', 'src', 'db', 'data-source.ts'),
      migrationsDir: join(workspace, 'apps', 'api', 'migrations', 'versions'),
      env: { DATABASE_URL: 'postgres://h/db' },
    });
  });

  it('names the folder that is not a project and the data source that is missing', () => {
    expect(() => resolveProject({ projectRoot: 'apps/nothing' }, workspace, {})).toThrow(/apps\/nothing is not a directory/);
    expect(() => resolveProject({ projectRoot: 'apps/api', dataSource: 'apps/api/ds.ts' }, workspace, {})).toThrow(
      /apps\/api\/ds\.ts does not exist/,
    );
    mkdirSync(join(workspace, 'libs', 'empty'), { recursive: true });
    expect(() => resolveProject({ projectRoot: 'libs/empty' }, workspace, {})).toThrow(/No data-source\.ts .* pass --data-source/);
  });
});
