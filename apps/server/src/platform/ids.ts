import { randomFillSync } from "node:crypto";
import { v7 as uuidv7 } from "uuid";

/**
 * Random bytes drawn in bulk: the uuid package asks the OS for 16 bytes per id, which costs more
 * than the rest of an id on hot paths (webhook ingest). Each id still takes 16 fresh bytes.
 */
const randomPool = new Uint8Array(16 * 256);
let poolOffset = randomPool.length;
/** Monotonic within a millisecond, as the uuid package keeps it: a random 31-bit counter per ms, incremented. */
const clock = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

/** Time-ordered ids (UUIDv7) so primary keys double as creation-order cursors. */
export const newId = (): string => {
  if (poolOffset === randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  const random = randomPool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  const now = Date.now();
  if (now > clock.msecs) {
    clock.msecs = now;
    clock.seq = (((random[6] ?? 0) & 0x7f) << 24) | ((random[7] ?? 0) << 16) | ((random[8] ?? 0) << 8) | (random[9] ?? 0);
  } else {
    clock.seq = (clock.seq + 1) | 0;
    if (clock.seq === 0) clock.msecs += 1;
  }
  return uuidv7({ random, msecs: clock.msecs, seq: clock.seq });
};
