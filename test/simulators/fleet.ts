import { SimulatedIphone, type SimulatedApp, type SimulatedIphoneOptions } from './iphone-simulator.js';

/*
 * Helpers to build a fleet of simulated iPhones (demo data, load tests) and to drive it with bounded
 * concurrency, so a benchmark measures the server and not 10,000 simultaneous sockets.
 */

export interface CreateFleetOptions {
  count: number;
  /** Share of supervised phones, 0..1, spread evenly through the fleet (0.25: every 4th phone). */
  supervisedRatio: number;
  /** The apps phone `i` has installed. */
  appsFor: (i: number) => SimulatedApp[];
  /** Anything else, per phone (fetch override, OS version, names...). */
  optionsFor?: (i: number) => Partial<Omit<SimulatedIphoneOptions, 'supervised' | 'installedApps'>>;
  /** Device names are `${namePrefix}-${i + 1}` (zero-padded). Default 'iPhone'. */
  namePrefix?: string;
}

/** Phone i is supervised when the running count of supervised phones steps up at i. */
export function isSupervisedAt(i: number, ratio: number): boolean {
  const r = Math.min(1, Math.max(0, ratio));
  return Math.floor((i + 1) * r + 1e-9) > Math.floor(i * r + 1e-9);
}

export function createFleet(options: CreateFleetOptions): SimulatedIphone[] {
  if (!Number.isSafeInteger(options.count) || options.count < 0) {
    throw new RangeError(`createFleet: count must be a non-negative integer, got ${options.count}`);
  }
  if (!(options.supervisedRatio >= 0 && options.supervisedRatio <= 1)) {
    throw new RangeError(`createFleet: supervisedRatio must be within 0..1, got ${options.supervisedRatio}`);
  }
  const width = String(options.count).length;
  const prefix = options.namePrefix ?? 'iPhone';
  return Array.from(
    { length: options.count },
    (_, i) =>
      new SimulatedIphone({
        deviceName: `${prefix}-${String(i + 1).padStart(width, '0')}`,
        ...(options.optionsFor?.(i) ?? {}),
        supervised: isSupervisedAt(i, options.supervisedRatio),
        installedApps: options.appsFor(i),
      }),
  );
}

/**
 * Runs `fn` over `items` with at most `n` calls in flight; results come back in input order.
 * The first rejection stops new calls from starting and rejects (calls already running finish).
 * Catch inside `fn` to collect failures instead.
 */
export async function runWithConcurrency<T, R>(
  items: readonly T[],
  n: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`runWithConcurrency: n must be >= 1, got ${n}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.min(n, items.length) }, () => worker());
  const settled = await Promise.allSettled(workers);
  const rejection = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (rejection !== undefined) throw rejection.reason;
  return results;
}
