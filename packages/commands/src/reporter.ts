import type { StepOutcome } from '../../adapters/src/typeorm/runner';
import { streamProgressSink, type ProgressSink } from './progress';

/**
 * Where commands say what they do. `info` lines are the human output; with `--json` the CLI sends them to stderr
 * and prints the command's result as one JSON document on stdout.
 */
export interface Reporter {
  info(line: string): void;
  warn(line: string): void;
  /** A migration finished (or failed): `  ↑ 3f2a9c1b7d4e  Add users table  (12 ms)`. */
  step(outcome: StepOutcome): void;
  /** Where long work says where it stands (see `Progress`); none: it says nothing until done. */
  readonly progress?: ProgressSink;
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

/**
 * Step lines that come closer together than this are written together, at most this late: a run of a thousand
 * small migrations makes a few dozen writes instead of a thousand (each one a system call, and a wake-up of whatever
 * reads the output: a terminal, Nx, CI), and nobody can read faster anyway.
 */
export const STEP_BATCH_MS = 50;

export interface StreamReporter extends Reporter {
  /** Writes the step lines held back; the caller's last word before it writes anything itself. */
  flush(): void;
}

/** The terminal: info and steps to `out`, warnings to `err`, in the order they come. */
export function streamReporter({ out, err }: StreamReporterOptions): StreamReporter {
  let held = '';
  let timer: NodeJS.Timeout | undefined;
  let lastWrite = Number.NEGATIVE_INFINITY;
  // Progress goes to stderr; on a terminal its line is erased before anything else is written over it.
  const progressOut = streamProgressSink(err as NodeJS.WritableStream & { isTTY?: boolean });
  let progressOnScreen = false;
  const progress: ProgressSink = {
    live: progressOut.live,
    show: (line) => {
      progressOut.show(line);
      progressOnScreen = progressOut.live;
    },
    clear: () => {
      if (progressOnScreen) progressOut.clear();
      progressOnScreen = false;
    },
  };
  const flush = () => {
    progress.clear();
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    lastWrite = performance.now();
    if (held === '') return;
    const lines = held;
    held = '';
    out.write(lines);
  };
  return {
    info: (line) => {
      flush();
      out.write(`${line}\n`);
    },
    warn: (line) => {
      flush();
      err.write(`${line}\n`);
    },
    step: (outcome) => {
      held += `${formatStep(outcome)}\n`;
      if (performance.now() - lastWrite >= STEP_BATCH_MS) flush();
      else timer ??= setTimeout(flush, STEP_BATCH_MS);
    },
    flush,
    progress,
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
