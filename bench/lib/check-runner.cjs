/**
 * `migrate-check` of one project from this repository's sources, the way the CLI would run it:
 *   node -r @swc-node/register bench/lib/check-runner.cjs PROJECT_ROOT [--base=REF] [--full] [--shadow-database-url=URL]
 * Exit code 0 when every check passed, 1 otherwise; the checks' lines on stdout.
 */
const { join } = require('node:path');
const root = join(__dirname, '../..');
const { check } = require(join(root, 'packages/commands/src/check.ts'));
const { streamReporter } = require(join(root, 'packages/commands/src/reporter.ts'));
const { resolveProject } = require(join(root, 'packages/cli/src/arguments.ts'));

const [projectRoot, ...flags] = process.argv.slice(2);
const flag = (name) => flags.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const context = resolveProject({ projectRoot }, process.cwd(), process.env);
const reporter = streamReporter({ out: process.stdout, err: process.stderr });
check(
  context,
  { base: flag('base'), full: flags.includes('--full'), shadowDatabaseUrl: flag('shadow-database-url') },
  reporter,
).then(
  (result) => {
    reporter.flush();
    process.exitCode = result.success ? 0 : 1;
  },
  (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
