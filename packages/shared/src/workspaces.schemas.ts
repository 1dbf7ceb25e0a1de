import { z } from "zod";
import { zPlainText } from "./text.schemas.ts";

export const ZUpdateWorkspaceRequest = z.strictObject({
  name: zPlainText({ max: 120, emptyMessage: "Name your workspace." }),
});
export type TUpdateWorkspaceRequest = z.infer<typeof ZUpdateWorkspaceRequest>;
