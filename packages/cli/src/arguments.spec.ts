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
      '--step-lock-timeout=2s',
      '--step-statement-timeout=10min',
      '--lock-retries=5',
      '--yes',
      '--json',
      '--verbose',
      '--project-root=apps/backend',
    ]);
    expect(parsed).toEqual({
      verb: 'migrate',
      project: { projectRoot: 'apps/backend', dataSource: undefined, migrationsDir: undefined },
      json: true,
      verbose: true,
      values: expect.objectContaining({ to: '3f2a+1', sql: true, from: 'base', 'lock-timeout': '5', yes: true,
        'step-lock-timeout': '2s', 'step-statement-timeout': '10min', 'lock-retries': '5' }),
    });
  });

  it('reads history and stamp options', () => {
    expect(parseCommandLine(['history', '--range=base:head', '--format=graph', '--verbose'])).toMatchObject({
      verb: 'history',
      values: { range: 'base:head', format: 'graph', verbose: true },
    });
    expect(parseCommandLine(['stamp', '--to=base', '--purge'])).toMatchObject({ verb: 'stamp', values: { to: 'base', purge: true } });
  });

  it('asks for help with no command, help, or --help', () => {
    for (const argv of [[], ['help'], ['--help'], ['status', '--help']]) expect(parseCommandLine(argv)).toEqual({ verb: 'help' });
  });

  it.each([
    [['migrat'], /Unknown command migrat; use one of migrate, status, history, stamp/],
    [['migrate', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['migrate', 'head'], /positional|Unexpected argument 'head'/],
    [['migrate', '--from=base'], /--from only goes with --sql/],
    [['migrate', '--lock-timeout=abc'], /--lock-timeout=abc is not a number of seconds/],
    [['migrate', '--lock-timeout=-5'], /--lock-timeout=-5 is not a number of seconds/],
    [['migrate', '--lock-retries=two'], /--lock-retries=two is not a whole number \(0 or more\)/],
    [['migrate', '--lock-retries=-1'], /--lock-retries=-1 is not a whole number/],
    [['status', '--lock-retries=1'], /Unknown option '--lock-retries'/],
    [['status', '--purge'], /Unknown option '--purge'/],
    [['history', '--format=xml'], /--format=xml is not known; use one of text, graph, mermaid, json/],
    [['stamp'], /stamp needs --to/],
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
