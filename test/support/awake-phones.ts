import { FakeApns } from '../fakes/fake-apns.js';
import type { ProcessedCommand, SimulatedIphone } from '../simulators/iphone-simulator.js';

/**
 * Simulated iPhones that APNs wakes: each push the fake APNs accepts makes the phone with that
 * token check in and run its commands, as iOS does. A phone runs one session at a time; a push
 * arriving during a session makes it check in once more afterwards. Unlike wakeOnPush
 * (test/simulators/push-wakeup.ts, for large fleets), rollout tests need phones that stay silent,
 * a reaction delay, and every command each phone ever ran (to prove no version arrives twice).
 */
export class AwakePhones {
  private readonly byToken = new Map<string, SimulatedIphone>();
  private readonly running = new Map<SimulatedIphone, Promise<void>>();
  private readonly again = new Set<SimulatedIphone>();
  /** Phones that ignore pushes (switched off, out of coverage). */
  readonly asleep = new Set<SimulatedIphone>();
  /** Every command each phone ran, in order. */
  readonly processed = new Map<SimulatedIphone, ProcessedCommand[]>();
  readonly errors: Error[] = [];
  private readonly unsubscribe: () => void;

  /**
   * @param thinkMs how long a phone takes to react to a push (random up to this), so that a rollout
   * is still in progress while a test breaks something.
   */
  constructor(
    apns: FakeApns,
    private readonly thinkMs = 0,
  ) {
    this.unsubscribe = apns.onPush((push) => {
      const phone = this.byToken.get(push.token);
      if (phone && !this.asleep.has(phone)) this.wake(phone);
    });
  }

  add(...phones: SimulatedIphone[]): void {
    for (const phone of phones) {
      this.byToken.set(phone.pushToken.toString('hex'), phone);
      this.processed.set(phone, this.processed.get(phone) ?? []);
    }
  }

  /** Runs the phone's commands now (or once more after its current session). */
  wake(phone: SimulatedIphone): Promise<void> {
    const current = this.running.get(phone);
    if (current) {
      this.again.add(phone);
      return current;
    }
    const session = (async () => {
      if (this.thinkMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * this.thinkMs));
      do {
        this.again.delete(phone);
        try {
          const done = await phone.processCommands();
          this.processed.get(phone)?.push(...done);
        } catch (error) {
          this.errors.push(error as Error);
        }
      } while (this.again.has(phone));
    })().finally(() => this.running.delete(phone));
    this.running.set(phone, session);
    return session;
  }

  installs(phone: SimulatedIphone): number {
    return (this.processed.get(phone) ?? []).filter((c) => c.requestType === 'InstallProfile').length;
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }

  stop(): void {
    this.unsubscribe();
  }
}

/** Polls `probe` until it returns a truthy value, or fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
