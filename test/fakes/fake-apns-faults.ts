/*
 * Answers a test can force on the fake APNs, for one device token or for every push, a number of
 * times or until cleared. Per-token faults win over global ones.
 */

export type FakeApnsFault =
  /** Answer this status with `{"reason": …}` (e.g. 410 Unregistered, 429 TooManyRequests, 503 ServiceUnavailable). */
  | { status: number; reason?: string }
  /** Never answer the push (the client must time out). */
  | { hang: true }
  /** Drop the whole connection the push came on, with every stream in flight on it. */
  | { reset: true }
  /** Send GOAWAY (debug data `{"reason": …}`, default Shutdown), refusing this push; streams already taken are answered, then the connection closes. */
  | { goaway: true; reason?: string };

export interface InjectOptions {
  /** Only pushes to this token (hex, any case). Default: every push. */
  token?: string;
  /** How many pushes get it. Default: all of them until clearFaults(). */
  times?: number;
}

interface Rule {
  fault: FakeApnsFault;
  remaining: number;
}

export class FaultBook {
  private readonly byToken = new Map<string, Rule[]>();
  private global: Rule[] = [];

  add(fault: FakeApnsFault, options: InjectOptions = {}): void {
    const times = options.times ?? Number.POSITIVE_INFINITY;
    if (!(times >= 1)) throw new RangeError(`inject: times must be >= 1, got ${times}`);
    const rule = { fault, remaining: times };
    if (options.token === undefined) {
      this.global.push(rule);
      return;
    }
    const token = options.token.toLowerCase();
    this.byToken.set(token, [...(this.byToken.get(token) ?? []), rule]);
  }

  clear(): void {
    this.byToken.clear();
    this.global = [];
  }

  /** The fault for this push, consuming one of its uses; undefined for a normal answer. */
  take(token: string): FakeApnsFault | undefined {
    if (this.byToken.size > 0) {
      const key = token.toLowerCase();
      const rules = this.byToken.get(key);
      if (rules !== undefined) {
        const fault = consume(rules);
        if (rules.length === 0) this.byToken.delete(key);
        if (fault !== undefined) return fault;
      }
    }
    return this.global.length > 0 ? consume(this.global) : undefined;
  }
}

function consume(rules: Rule[]): FakeApnsFault | undefined {
  const rule = rules[0];
  if (rule === undefined) return undefined;
  rule.remaining -= 1;
  if (rule.remaining <= 0) rules.shift();
  return rule.fault;
}
