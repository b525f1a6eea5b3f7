import type { StepOutcome } from '../../adapters/src/typeorm/runner';

/**
 * Where commands say what they do. `info` lines are the human output; with `--json` the CLI sends them to stderr
 * and prints the command's result as one JSON document on stdout.
 */
export interface Reporter {
  info(line: string): void;
  warn(line: string): void;
  /** A migration finished (or failed): `  ↑ 3f2a9c1b7d4e  Add users table  (12 ms)`. */
  step(outcome: StepOutcome): void;
}

export function formatStep(outcome: StepOutcome): string {
  const arrow = outcome.direction === 'up' ? '↑' : '↓';
  const tail =
    outcome.status === 'failed' ? '  FAILED' : outcome.durationMs !== undefined ? `  (${outcome.durationMs} ms)` : '';
  return `  ${arrow} ${outcome.revision}  ${outcome.message || '(no message)'}${tail}`;
}

export interface StreamReporterOptions {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** The terminal: info and steps to `out`, warnings to `err`. */
export function streamReporter({ out, err }: StreamReporterOptions): Reporter {
  return {
    info: (line) => void out.write(`${line}\n`),
    warn: (line) => void err.write(`${line}\n`),
    step: (outcome) => void out.write(`${formatStep(outcome)}\n`),
  };
}

/** Keeps every line, for tests and for executors that print at the end. */
export class MemoryReporter implements Reporter {
  readonly lines: string[] = [];
  readonly warnings: string[] = [];
  readonly steps: StepOutcome[] = [];

  info(line: string): void {
    this.lines.push(line);
  }

  warn(line: string): void {
    this.warnings.push(line);
  }

  step(outcome: StepOutcome): void {
    this.steps.push(outcome);
    this.lines.push(formatStep(outcome));
  }

  get text(): string {
    return [...this.lines, ...this.warnings].join('\n');
  }
}
