import { z } from "zod";

export const ZUpdateWorkspaceRequest = z.strictObject({
  name: z.string().trim().min(1, { message: "Name your workspace." }).max(120),
});
export type TUpdateWorkspaceRequest = z.infer<typeof ZUpdateWorkspaceRequest>;
