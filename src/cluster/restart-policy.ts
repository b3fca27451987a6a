// The restart policy: when a worker process dies, how long its slot waits before a new
// worker is forked, and when the supervisor stops trying. Pure arithmetic on timestamps —
// no processes, no timers — so the rule is tested on its own (test/cluster/restart-policy).
//
// THE RULE (one counter per slot, `streak`):
//
//   a worker of the slot dies, having lived `uptime` ms
//     uptime ≥ stableAfter ─▶ streak = 1      (it had been healthy: a fresh first failure)
//     uptime < stableAfter ─▶ streak += 1     (it died young: a crash loop is growing)
//   streak ≥ maxCrashes    ─▶ the slot is given up (no more forks for it)
//   otherwise              ─▶ fork again after min(baseDelay · 2^(streak−1), maxDelay)
//
// So a worker that ran for an hour and died is replaced after baseDelay (100 ms), while an
// app that throws at start is forked again after 100, 200, 400 ms, … up to maxDelay (10 s),
// and given up at the 8th death in a row without a healthy run between (maxCrashes) — with
// the defaults, about 13 s after the first one (100 + 200 + … + 6400 ms of waiting). Without the back-off, a crash at start is a fork bomb: node:cluster
// forks in a few ms and Node starts in tens, so the primary would fork ~20 processes a
// second per slot, forever. The supervisor gives up as a whole when no slot is left.
//
// The defaults are picked, not derived: 100 ms is longer than a fork and shorter than anyone
// notices; 10 s between attempts keeps a broken deploy cheap; 8 deaths in a row (13 s) gives
// a dependency that is slow to come up a fair chance; "stable" after 10 s of life is systemd's default
// StartLimitIntervalSec, and PM2's `min_uptime` plays the same part.

/** Tuning of the restart back-off (all times in ms). Every field has a default. */
export interface BackoffOptions {
  /** Delay before replacing a worker that died after a healthy run (default 100). */
  baseDelay?: number;
  /** The longest delay between attempts: the doubling stops here (default 10_000). */
  maxDelay?: number;
  /** A worker that lived at least this long counts as healthy: its slot's streak restarts (default 10_000). */
  stableAfter?: number;
  /**
   * Deaths in a row, with no healthy run between them, at which a slot is given up
   * (default 8; 1: never replace a worker; `Infinity`: never give up).
   */
  maxCrashes?: number;
}

/** The defaults of BackoffOptions (see the header of restart-policy.ts for why these). */
export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = Object.freeze({
  baseDelay: 100,
  maxDelay: 10_000,
  stableAfter: 10_000,
  maxCrashes: 8,
});

/** What to do about a slot whose worker died. */
export type RestartDecision =
  | { readonly action: "restart"; readonly delay: number; readonly streak: number }
  | { readonly action: "give-up"; readonly streak: number };

/** The back-off state of every slot. */
export class RestartPolicy {
  readonly options: Readonly<Required<BackoffOptions>>;
  private readonly streaks = new Map<number, number>();

  constructor(options: BackoffOptions = {}) {
    const o = { ...DEFAULT_BACKOFF, ...stripUndefined(options) };
    for (const key of ["baseDelay", "maxDelay", "stableAfter"] as const)
      if (!(Number.isFinite(o[key]) && o[key] >= 0))
        throw new RangeError(`spindle: backoff.${key} must be a finite number ≥ 0, got ${o[key]}`);
    if (!(o.maxCrashes >= 1))
      throw new RangeError(`spindle: backoff.maxCrashes must be ≥ 1, got ${o.maxCrashes}`);
    if (o.maxDelay < o.baseDelay)
      throw new RangeError("spindle: backoff.maxDelay must be ≥ backoff.baseDelay");
    this.options = Object.freeze(o);
  }

  /** Records that `slot`'s worker died after living `uptime` ms, and says what to do. */
  onDeath(slot: number, uptime: number): RestartDecision {
    const { stableAfter, maxCrashes } = this.options;
    const streak = uptime >= stableAfter ? 1 : (this.streaks.get(slot) ?? 0) + 1;
    this.streaks.set(slot, streak);
    if (streak >= maxCrashes) return { action: "give-up", streak };
    return { action: "restart", delay: this.delay(streak), streak };
  }

  /** The delay before attempt number `streak` (1 = the first failure). */
  delay(streak: number): number {
    const { baseDelay, maxDelay } = this.options;
    // 2 ** 1100 is Infinity: clamp the exponent so the arithmetic stays finite on purpose.
    return Math.min(baseDelay * 2 ** Math.min(streak - 1, 60), maxDelay);
  }

  /** The slot's current streak of young deaths (0: none yet). */
  streak(slot: number): number {
    return this.streaks.get(slot) ?? 0;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
