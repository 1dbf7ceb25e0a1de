import type { ParleyModule } from "../../platform/parley-module.ts";

export const cannedModule: ParleyModule = {};
