import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileAuthors, filesChangedSince, repositoryRoot } from './git-history';

describe('git history', () => {
  let root: string;

  function git(args: string[], author = 'Ada Lovelace <ada@example.com>', date = '2026-11-20T10:00:00Z'): void {
    const [, name, email] = /^(.*) <(.*)>$/.exec(author) ?? [];
    execFileSync('git', args, {
      cwd: root,
      stdio: 'ignore',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: name,
        GIT_AUTHOR_EMAIL: email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: name,
        GIT_COMMITTER_EMAIL: email,
        GIT_COMMITTER_DATE: date,
      },
    });
  }

  function write(file: string, text: string): string {
    const path = join(root, file);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  }

  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'ntm-git-')));
    git(['init', '-q', '-b', 'main']);
    write('README.md', 'hello\n');
    git(['add', '.']);
    git(['commit', '-q', '-m', 'initial']);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names the author of the commit that added each file, not of later edits', () => {
    const first = write('migrations/versions/a_first.ts', 'one\n');
    git(['add', '.']);
    git(['commit', '-q', '-m', 'add first'], 'Ada Lovelace <ada@example.com>', '2026-11-21T09:30:00Z');
    write('migrations/versions/a_first.ts', 'one, edited\n');
    git(['commit', '-q', '-am', 'edit first'], 'Grace Hopper <grace@example.com>', '2026-11-22T09:30:00Z');
    const uncommitted = write('migrations/versions/b_second.ts', 'two\n');

    const authors = fileAuthors(join(root, 'migrations'), [first, uncommitted]);
    expect(authors.get(first)).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      date: new Date('2026-11-21T09:30:00Z'),
    });
    expect(authors.has(uncommitted)).toBe(false);
  });

  it('lists what a branch changed since it left the base, committed or not', () => {
    const onMain = write('migrations/versions/a_main.ts', 'main\n');
    git(['add', '.']);
    git(['commit', '-q', '-m', 'main migration']);
    git(['checkout', '-q', '-b', 'feature']);
    const committed = write('migrations/versions/b_feature.ts', 'feature\n');
    git(['add', '.']);
    git(['commit', '-q', '-m', 'feature migration']);
    git(['checkout', '-q', 'main']);
    const laterOnMain = write('migrations/versions/d_later.ts', 'later\n');
    git(['add', '.']);
    git(['commit', '-q', '-m', 'later main migration']);
    git(['checkout', '-q', 'feature']);
    const untracked = write('migrations/versions/c_wip.ts', 'wip\n');

    const changed = filesChangedSince(root, 'main');
    expect(changed).toEqual(new Set([committed, untracked]));
    expect(changed?.has(onMain)).toBe(false);
    expect(changed?.has(laterOnMain)).toBe(false);
  });

  it('answers undefined for an unknown base ref and outside a repository', () => {
    expect(filesChangedSince(root, 'no-such-branch')).toBeUndefined();
    const outside = mkdtempSync(join(tmpdir(), 'ntm-nogit-'));
    try {
      expect(repositoryRoot(outside)).toBeUndefined();
      expect(filesChangedSince(outside, 'main')).toBeUndefined();
      expect(fileAuthors(outside, [join(outside, 'x.ts')]).size).toBe(0);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
