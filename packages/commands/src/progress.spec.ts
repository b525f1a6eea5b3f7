import { formatProgress, Progress, type ProgressSink } from './progress';

/** A sink that records what it was asked to show; the clock is a variable the test moves. */
function recordingSink(live: boolean): ProgressSink & { lines: string[]; clears: number } {
  const sink = {
    live,
    lines: [] as string[],
    clears: 0,
    show(line: string) {
      sink.lines.push(line);
    },
    clear() {
      sink.clears++;
    },
  };
  return sink;
}

describe('Progress', () => {
  it('prints a plain line only once the interval has passed, then at most once per interval', () => {
    let clock = 0;
    const sink = recordingSink(false);
    const progress = new Progress(sink, 'stairway', 1000, { now: () => clock, intervalMs: 5000 });
    for (let done = 1; done <= 1000; done++) {
      clock = done * 12; // 12 "ms" per migration: 12 s in all
      progress.update(done, `rev${done}`);
    }
    progress.finish();
    expect(sink.lines).toEqual([
      formatProgress('stairway', 417, 1000, 5004, 'rev417'),
      formatProgress('stairway', 834, 1000, 10008, 'rev834'),
    ]);
    expect(sink.clears).toBe(0);
  });

  it('says nothing for work that ends before the first interval', () => {
    let clock = 0;
    const sink = recordingSink(false);
    const progress = new Progress(sink, 'lint', 10, { now: () => clock });
    for (let done = 1; done <= 10; done++) {
      clock = done;
      progress.update(done);
    }
    progress.finish();
    expect(sink.lines).toEqual([]);
  });

  it('redraws a terminal line often, and erases it at the end', () => {
    let clock = 0;
    const sink = recordingSink(true);
    const progress = new Progress(sink, 'shadow replay', 50, { now: () => clock });
    for (let done = 1; done <= 50; done++) {
      clock = done * 50;
      progress.update(done);
    }
    progress.finish();
    expect(sink.lines.length).toBe(25);
    expect(sink.lines.at(-1)).toBe('shadow replay: migration 50 of 50, 2.5 s');
    expect(sink.clears).toBe(1);
  });

  it('does nothing without a sink', () => {
    const progress = new Progress(undefined, 'stairway', 3);
    progress.update(1);
    progress.finish();
    expect(formatProgress('stairway', 1, 3, 0)).toBe('stairway: migration 1 of 3, 0.0 s');
  });
});
