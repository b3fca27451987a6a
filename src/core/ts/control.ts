// The control block, TypeScript twin of assembly/control.ts: the same CONTROL_WORDS words,
// in an Int32Array of their own (with a Float64Array over it for CTL_NEXT). The twin's
// tables are typed arrays rather than regions of one memory, so the address words stay 0;
// the epoch still moves whenever a table is replaced, which is what a host watches.

import { CONTROL_WORDS, CTL_EPOCH, CTL_NEXT } from "./constants.js";

/** f64 element of CTL_NEXT. */
export const NEXT_F64 = CTL_NEXT >> 1;

export class Control {
  readonly words = new Int32Array(CONTROL_WORDS);
  /** The same bytes as f64s: element NEXT_F64 is CTL_NEXT. */
  readonly f64 = new Float64Array(this.words.buffer);

  /** A shared table was replaced: hosts must re-create their views. */
  bumpEpoch(): void {
    this.words[CTL_EPOCH] = this.words[CTL_EPOCH]! + 1;
  }
}
