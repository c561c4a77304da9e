import type { ProcessedCommand, SimulatedIphone } from './iphone-simulator.js';

/*
 * What APNs does to a phone: a push for its token wakes it, and it checks in with the MDM server and
 * works through its command queue. Wires a fleet of simulated iPhones to anything with an onPush
 * listener (the fake APNs) with bounded concurrency, so a rollout of 10,000 pushes does not start
 * 10,000 check-ins at once. Failures are collected, never thrown into the push path.
 */

export interface PushSource {
  onPush(listener: (push: { token: string; topic: string; pushMagic: string }) => void): () => void;
}

export interface PushWakeupOptions {
  /** Phones checking in at once. Default 16. */
  concurrency?: number;
  /** Passed to processCommands (e.g. `{ notNow: ['ProfileList'] }`). */
  processCommands?: Parameters<SimulatedIphone['processCommands']>[0];
}

export interface WakeupFailure {
  udid: string;
  error: unknown;
}

export interface PushWakeup {
  /** Check-ins completed (a phone pushed twice while busy checks in once more, not twice). */
  readonly wakeups: number;
  /** Pushes no phone answers: unknown token, wrong PushMagic or topic, phone not enrolled. */
  readonly ignored: number;
  readonly failures: readonly WakeupFailure[];
  /** The commands processed by each phone's latest check-in, per udid. */
  readonly processed: ReadonlyMap<string, ProcessedCommand[]>;
  /** Adds phones to the fleet (enrolled or not: they are looked up by push token). */
  add(phones: Iterable<SimulatedIphone>): void;
  /** Resolves when no phone is checking in or waiting to. */
  idle(): Promise<void>;
  /** Stops listening, then waits for check-ins already started. */
  stop(): Promise<void>;
}

interface PhoneState {
  phone: SimulatedIphone;
  running: boolean;
  /** Pushed again while running or queued: check in once more afterwards. */
  again: boolean;
  queued: boolean;
}

export function wakeOnPush(
  source: PushSource,
  phones: Iterable<SimulatedIphone>,
  options: PushWakeupOptions = {},
): PushWakeup {
  const concurrency = options.concurrency ?? 16;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`wakeOnPush: concurrency must be >= 1, got ${concurrency}`);
  }
  const byToken = new Map<string, PhoneState>();
  const waiting: PhoneState[] = [];
  const failures: WakeupFailure[] = [];
  const processed = new Map<string, ProcessedCommand[]>();
  let running = 0;
  let wakeups = 0;
  let ignored = 0;
  let idleWaiters: (() => void)[] = [];

  const add = (more: Iterable<SimulatedIphone>): void => {
    for (const phone of more) {
      byToken.set(phone.pushToken.toString('hex'), { phone, running: false, again: false, queued: false });
    }
  };

  const settleIdle = (): void => {
    if (running === 0 && waiting.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  const startNext = (): void => {
    while (running < concurrency && waiting.length > 0) {
      const state = waiting.shift() as PhoneState;
      state.queued = false;
      state.running = true;
      running += 1;
      void state.phone
        .processCommands(options.processCommands)
        .then(
          (done) => {
            wakeups += 1;
            processed.set(state.phone.udid, done);
          },
          (error: unknown) => {
            failures.push({ udid: state.phone.udid, error });
          },
        )
        .finally(() => {
          state.running = false;
          running -= 1;
          if (state.again) {
            state.again = false;
            enqueue(state);
          }
          startNext();
          settleIdle();
        });
    }
  };

  const enqueue = (state: PhoneState): void => {
    if (state.queued) return;
    if (state.running) {
      state.again = true;
      return;
    }
    state.queued = true;
    waiting.push(state);
    startNext();
  };

  add(phones);
  const unsubscribe = source.onPush((push) => {
    const state = byToken.get(push.token.toLowerCase());
    const enrollment = state?.phone.enrollment;
    // A real phone drops a push whose PushMagic or topic is not its current enrollment's.
    if (
      state === undefined ||
      enrollment === undefined ||
      push.pushMagic !== state.phone.pushMagic ||
      push.topic !== enrollment.topic
    ) {
      ignored += 1;
      return;
    }
    enqueue(state);
  });

  const idle = (): Promise<void> =>
    running === 0 && waiting.length === 0
      ? Promise.resolve()
      : new Promise((resolve) => idleWaiters.push(resolve));

  return {
    get wakeups() {
      return wakeups;
    },
    get ignored() {
      return ignored;
    },
    failures,
    processed,
    add,
    idle,
    async stop() {
      unsubscribe();
      await idle();
    },
  };
}
