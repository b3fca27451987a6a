// The control block: CONTROL_WORDS i32s at a fixed address, the one place where the core
// publishes where its shared tables are and where host and core keep the counters both
// update (the ready queue's head and tail, the timer allocator, the pending arms).
//
//   control() ─▶ ┌───────┬───────┬──────────┬───────────┬─────────┬──────────┬──────┬──────┐
//    word 0..7   │ epoch │ tasks │ taskHigh │ taskCount │  ring   │ ringMask │ head │ tail │
//                ├───────┴───────┴──┬───────┴───────────┴─────┬───┴──────────┼──────┴──────┤
//    word 8..14  │ timer gens, deadlines, free bits, armed bits │  timerCap    │cursor│ free │
//                ├─────────┬────────┴───┬───────┬──────┬───────┴──────────────┴──────┴──────┤
//    word 15..21 │ pending │ pendingLen │ armed │tombs │ dirty │ next: f64 (words 20-21)    │
//                └─────────┴────────────┴───────┴──────┴───────┴────────────────────────────┘
//
// The host never calls into the core to read these; the core never caches the "both"
// words across an export (it loads them on entry and stores them before it returns).
// Invariant: the addresses are current — every table move stores its new address here and
// bumps the epoch, so a host that sees the epoch unchanged may keep its views.

import { CONTROL_WORDS, CTL_EPOCH, CTL_NEXT } from "./constants";

let base: usize = 0;

export function initControl(): void {
  base = heap.alloc((<usize>CONTROL_WORDS) << 2);
  memory.fill(base, 0, (<usize>CONTROL_WORDS) << 2);
}

export function controlAddress(): usize {
  return base;
}

@inline export function ctl(word: i32): i32 {
  return load<i32>(base + ((<usize>word) << 2));
}

@inline export function setCtl(word: i32, value: i32): void {
  store<i32>(base + ((<usize>word) << 2), value);
}

/** The f64 in words CTL_NEXT, CTL_NEXT + 1. */
@inline export function ctlNext(): f64 {
  return load<f64>(base + ((<usize>CTL_NEXT) << 2));
}

@inline export function setCtlNext(value: f64): void {
  store<f64>(base + ((<usize>CTL_NEXT) << 2), value);
}

/** A shared table moved: hosts must re-read its address (and re-create their views). */
export function bumpEpoch(): void {
  setCtl(CTL_EPOCH, ctl(CTL_EPOCH) + 1);
}
