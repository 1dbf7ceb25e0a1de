import type { ParleyModule } from "../../platform/parley-module.ts";

/** Canned responses are plain HTTP resources: no tasks, events or socket handlers. */
export const cannedModule: ParleyModule = {};
