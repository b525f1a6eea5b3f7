import { createInterface } from 'node:readline/promises';

/**
 * A yes/no question on the terminal (a likely rename: keep the data?), or undefined when nobody can answer (CI,
 * output piped): then autogenerate warns instead, naming the `--rename` option that keeps the data.
 */
export function askOnTerminal(): ((question: string) => Promise<boolean>) | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY || process.env['CI']) return undefined;
  return async (question) => {
    const readline = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await readline.question(`${question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      readline.close();
    }
  };
}
