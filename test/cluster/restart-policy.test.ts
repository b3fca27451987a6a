// The restart back-off on its own (no processes): the rule in src/cluster/restart-policy.ts.

import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, RestartPolicy } from "../../src/cluster/restart-policy.js";
import { formatEvent, workerCount } from "../../src/cluster/supervisor.js";

const YOUNG = 50; // ms of life: far below stableAfter
const OLD = 60_000;

describe("RestartPolicy", () => {
  it("doubles the delay for each young death in a row, up to maxDelay", () => {
    const policy = new RestartPolicy({ baseDelay: 100, maxDelay: 1000, maxCrashes: 10 });
    const delays = [];
    for (let i = 0; i < 7; i++) {
      const d = policy.onDeath(0, YOUNG);
      if (d.action === "restart") delays.push(d.delay);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it("starts over after a worker that lived past stableAfter", () => {
    const policy = new RestartPolicy({ baseDelay: 100, stableAfter: 5000 });
    policy.onDeath(0, YOUNG);
    policy.onDeath(0, YOUNG);
    expect(policy.streak(0)).toBe(2);
    expect(policy.onDeath(0, 5000)).toEqual({ action: "restart", delay: 100, streak: 1 });
    expect(policy.onDeath(0, YOUNG)).toEqual({ action: "restart", delay: 200, streak: 2 });
  });

  it("gives a slot up at its maxCrashes-th death in a row", () => {
    const policy = new RestartPolicy({ maxCrashes: 3 });
    expect(policy.onDeath(0, YOUNG).action).toBe("restart");
    expect(policy.onDeath(0, YOUNG).action).toBe("restart");
    expect(policy.onDeath(0, YOUNG)).toEqual({ action: "give-up", streak: 3 });
  });

  it("keeps one streak per slot", () => {
    const policy = new RestartPolicy();
    policy.onDeath(0, YOUNG);
    policy.onDeath(0, YOUNG);
    expect(policy.onDeath(1, OLD)).toMatchObject({ streak: 1 });
    expect([policy.streak(0), policy.streak(1), policy.streak(2)]).toEqual([2, 1, 0]);
  });

  it("with the defaults, a crash loop is given up after 100 + 200 + … + 6400 ms of waiting", () => {
    const policy = new RestartPolicy();
    let waited = 0;
    let deaths = 0;
    for (;;) {
      deaths++;
      const d = policy.onDeath(0, YOUNG);
      if (d.action === "give-up") break;
      waited += d.delay;
    }
    expect(deaths).toBe(DEFAULT_BACKOFF.maxCrashes);
    expect(waited).toBe(12_700);
  });

  it("never gives up with maxCrashes: Infinity, and the delay stays finite", () => {
    const policy = new RestartPolicy({ maxCrashes: Infinity, maxDelay: 30_000 });
    let last = policy.onDeath(0, YOUNG);
    for (let i = 0; i < 2000; i++) last = policy.onDeath(0, YOUNG);
    expect(last).toEqual({ action: "restart", delay: 30_000, streak: 2001 });
  });

  it("refuses options that make no sense", () => {
    expect(() => new RestartPolicy({ baseDelay: -1 })).toThrow(RangeError);
    expect(() => new RestartPolicy({ maxDelay: Number.NaN })).toThrow(RangeError);
    expect(() => new RestartPolicy({ baseDelay: 500, maxDelay: 100 })).toThrow(RangeError);
    expect(() => new RestartPolicy({ maxCrashes: 0 })).toThrow(RangeError);
  });
});

describe("supervisor helpers", () => {
  it('counts "auto" workers as the cores, and refuses a bad count', () => {
    expect(workerCount("auto")).toBeGreaterThanOrEqual(1);
    expect(workerCount(3)).toBe(3);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => workerCount(bad)).toThrow(RangeError);
  });

  it("writes one log line per event, naming the workers alive", () => {
    expect(
      formatEvent(
        {
          type: "exit",
          slot: 0,
          id: 3,
          pid: 41,
          code: null,
          signal: "SIGKILL",
          uptime: 2500,
          expected: false,
          alive: [42],
        },
        2,
      ),
    ).toBe(
      "spindle cluster: worker 3 (pid 41, slot 0) killed by SIGKILL after 2.5 s (unexpected); " +
        "alive 1/2 [42]",
    );
    expect(formatEvent({ type: "restart", slot: 0, delay: 400, streak: 3, alive: [42] }, 2)).toBe(
      "spindle cluster: slot 0: replacing it in 400 ms (death 3 in a row: backing off); alive 1/2 [42]",
    );
    expect(formatEvent({ type: "stopped", alive: [] }, 2)).toBe(
      "spindle cluster: every worker has stopped; alive 0/2",
    );
  });
});
