import type { NormalizedOutbound } from "./channel-adapter.ts";

/**
 * Sends part `index` of a multi-part message unless an earlier attempt already delivered it, and
 * records it before returning, so a retry after a failure of a later part never repeats this one.
 * Adapters number their parts in a plan that depends only on the message, never on the attempt.
 */
export const sendPartOnce = async (
  outbound: Pick<NormalizedOutbound, "partsAlreadySent" | "onPartSent">,
  index: number,
  send: () => Promise<string>,
): Promise<string> => {
  const earlier = outbound.partsAlreadySent.find((part) => part.index === index);
  if (earlier) return earlier.externalId;
  const externalId = await send();
  await outbound.onPartSent({ index, externalId });
  return externalId;
};
