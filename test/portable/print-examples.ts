// Prints the examples' traces as one JSON line (see examples-trace.ts).
import { traces } from "./examples-trace.js";

console.log(JSON.stringify(await traces()));
