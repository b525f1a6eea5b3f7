/**
 * Where long work stands (the stairway, the replay into a shadow database, the lint), so a two-minute check never
 * looks hung. On a terminal one line is rewritten in place: `stairway: migration 523 of 1000, 12.3 s`. Elsewhere
 * (CI logs, Nx's piped output) a plain line is printed every few seconds instead, and nothing for work that ends
 * sooner.
 */

/** Where progress lines go: a terminal rewrites one line; a log gets whole lines. */
export interface ProgressSink {
  /** True on a terminal: the line is rewritten in place. */
  readonly live: boolean;
  /** On a terminal: replace the current progress line; elsewhere: print `line` as a line of its own. */
  show(line: string): void;
  /** On a terminal: erase the progress line before other output. */
  clear(): void;
}

/** Seconds between plain progress lines when the output is not a terminal. */
export const PLAIN_PROGRESS_INTERVAL_MS = 5_000;
/** A terminal line is redrawn at most this often (a thousand redraws a second would cost more than the work). */
const LIVE_REDRAW_MS = 100;

export interface ProgressOptions {
  readonly now?: () => number;
  readonly intervalMs?: number;
}

export class Progress {
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly startedAt: number;
  private lastShown: number;
  private shown = false;

  constructor(
    private readonly sink: ProgressSink | undefined,
    private readonly label: string,
    private readonly total: number,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.intervalMs = options.intervalMs ?? PLAIN_PROGRESS_INTERVAL_MS;
    this.startedAt = this.now();
    this.lastShown = this.startedAt;
  }

  /** `done` items of `total` are finished (or item `done` is under way); `what` names it (a revision). */
  update(done: number, what?: string): void {
    if (!this.sink) return;
    const now = this.now();
    const wait = this.sink.live ? LIVE_REDRAW_MS : this.intervalMs;
    if (now - this.lastShown < wait) return;
    this.lastShown = now;
    this.shown = true;
    this.sink.show(formatProgress(this.label, done, this.total, now - this.startedAt, what));
  }

  /** The work is over: a live line is erased (the caller prints the outcome). */
  finish(): void {
    if (this.sink?.live && this.shown) this.sink.clear();
  }
}

export function formatProgress(label: string, done: number, total: number, elapsedMs: number, what?: string): string {
  return `${label}: migration ${done} of ${total}${what ? ` (${what})` : ''}, ${(elapsedMs / 1000).toFixed(1)} s`;
}

/** A sink over a stream: live when it is a terminal (and `CI` is not set, where terminals are emulated). */
export function streamProgressSink(
  out: NodeJS.WritableStream & { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProgressSink {
  const live = out.isTTY === true && !env['CI'];
  return {
    live,
    show: (line) => {
      out.write(live ? `\r\x1b[K${line}` : `${line}\n`);
    },
    clear: () => {
      out.write('\r\x1b[K');
    },
  };
}
