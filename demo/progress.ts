import cliProgress from 'cli-progress';

/**
 * One progress bar on stdout (cli-progress); where stdout is not a terminal (CI logs) it prints a
 * line every two seconds instead of redrawing.
 */
export class ProgressLine {
  private static readonly active = new Set<ProgressLine>();
  private readonly bar: cliProgress.SingleBar;

  /** Stops every bar still drawing (Ctrl-C, a failure), so the terminal gets its cursor back. */
  static stopAll(): void {
    for (const line of ProgressLine.active) line.done();
  }

  constructor(label: string, total: number) {
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(12)} [{bar}] {percentage}% {value}/{total} {detail}`,
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 2000,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { detail: '' });
    ProgressLine.active.add(this);
  }

  tick(): void {
    this.bar.increment();
  }

  set(value: number, detail = ''): void {
    this.bar.update(value, { detail });
  }

  done(): void {
    ProgressLine.active.delete(this);
    this.bar.stop();
  }
}
