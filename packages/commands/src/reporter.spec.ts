import { PassThrough } from 'node:stream';
import type { StepOutcome } from '../../adapters/src/typeorm/runner';
import { formatStep, STEP_BATCH_MS, streamReporter } from './reporter';

/** A stream that keeps each write apart, so a test can tell one write of two lines from two writes. */
function recordingStream(log?: string[], name = ''): { stream: NodeJS.WritableStream; writes: string[] } {
  const writes: string[] = [];
  const stream = new PassThrough();
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    writes.push(String(chunk));
    log?.push(`${name}:${String(chunk)}`);
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
  return { stream, writes };
}

const step = (revision: string, durationMs = 2): StepOutcome => ({
  direction: 'up',
  revision,
  message: `Create ${revision}`,
  file: `${revision}_create.ts`,
  status: 'done',
  durationMs,
});

describe('formatStep', () => {
  it('shows direction, revision, message and duration, or FAILED', () => {
    expect(formatStep(step('3f2a9c1b7d4e', 12))).toBe('  ↑ 3f2a9c1b7d4e  Create 3f2a9c1b7d4e  (12 ms)');
    expect(formatStep({ ...step('aaaa'), direction: 'down', status: 'failed' })).toBe('  ↓ aaaa  Create aaaa  FAILED');
    expect(formatStep({ ...step('bbbb'), message: '', durationMs: undefined })).toBe('  ↑ bbbb  (no message)');
  });
});

describe('streamReporter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('writes the first step line at once, and lines that follow quickly together, at most a batch period later', () => {
    const out = recordingStream();
    const err = recordingStream();
    const reporter = streamReporter({ out: out.stream, err: err.stream });
    reporter.step(step('aaaa'));
    expect(out.writes).toEqual([`${formatStep(step('aaaa'))}\n`]);
    reporter.step(step('bbbb'));
    reporter.step(step('cccc'));
    expect(out.writes).toHaveLength(1);
    jest.advanceTimersByTime(STEP_BATCH_MS);
    expect(out.writes).toEqual([
      `${formatStep(step('aaaa'))}\n`,
      `${formatStep(step('bbbb'))}\n${formatStep(step('cccc'))}\n`,
    ]);
    expect(err.writes).toEqual([]);
  });

  it('writes held step lines before any other line, on either stream, so the order is kept', () => {
    const log: string[] = [];
    const reporter = streamReporter({ out: recordingStream(log, 'out').stream, err: recordingStream(log, 'err').stream });
    reporter.info('Migrating from base to head (3 migrations):');
    reporter.step(step('aaaa'));
    reporter.step(step('bbbb'));
    reporter.warn('a warning');
    reporter.step(step('cccc'));
    reporter.info('Done: the database is at cccc.');
    expect(log).toEqual([
      'out:Migrating from base to head (3 migrations):\n',
      `out:${formatStep(step('aaaa'))}\n${formatStep(step('bbbb'))}\n`,
      'err:a warning\n',
      `out:${formatStep(step('cccc'))}\n`,
      'out:Done: the database is at cccc.\n',
    ]);
  });

  it('writes what it holds on flush, and nothing more when the timer fires after', () => {
    const out = recordingStream();
    const reporter = streamReporter({ out: out.stream, err: recordingStream().stream });
    reporter.step(step('aaaa'));
    reporter.step(step('bbbb'));
    reporter.flush();
    jest.advanceTimersByTime(STEP_BATCH_MS * 2);
    expect(out.writes).toEqual([`${formatStep(step('aaaa'))}\n`, `${formatStep(step('bbbb'))}\n`]);
  });

  it('writes a step at once when the one before was written a batch period ago or more (slow migrations)', () => {
    const out = recordingStream();
    const reporter = streamReporter({ out: out.stream, err: recordingStream().stream });
    reporter.step(step('aaaa'));
    jest.advanceTimersByTime(STEP_BATCH_MS);
    reporter.step(step('bbbb'));
    expect(out.writes).toEqual([`${formatStep(step('aaaa'))}\n`, `${formatStep(step('bbbb'))}\n`]);
  });
});
