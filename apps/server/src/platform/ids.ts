import { v7 as uuidv7 } from "uuid";

/** Time-ordered ids (UUIDv7) so primary keys double as creation-order cursors. */
export const newId = (): string => uuidv7();
