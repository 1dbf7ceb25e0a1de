import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Twilio's request signature (https://www.twilio.com/docs/usage/security#validating-requests):
 * the full URL Twilio called, then every POST parameter sorted by name as name + value with no
 * separators, HMAC-SHA1 with the account's auth token, base64.
 */
export const twilioSignature = (authToken: string, url: string, params: ReadonlyArray<readonly [string, string]>): string => {
  const sorted = [...params].sort(([nameA, valueA], [nameB, valueB]) =>
    nameA === nameB ? (valueA < valueB ? -1 : valueA > valueB ? 1 : 0) : nameA < nameB ? -1 : 1,
  );
  const data = sorted.reduce((signed, [name, value]) => `${signed}${name}${value}`, url);
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
};

/** The URL as Twilio may have signed it: with and without the scheme's default port. */
const urlVariants = (url: string): string[] => {
  const variants = new Set([url]);
  try {
    const parsed = new URL(url);
    const defaultPort = parsed.protocol === "https:" ? "443" : parsed.protocol === "http:" ? "80" : null;
    if (defaultPort && parsed.port === "") {
      variants.add(
        `${parsed.protocol}//${parsed.username ? `${parsed.username}:${parsed.password}@` : ""}${parsed.hostname}:${defaultPort}${parsed.pathname}${parsed.search}`,
      );
    }
    if (defaultPort && url.includes(`:${defaultPort}/`)) variants.add(url.replace(`:${defaultPort}/`, "/"));
  } catch {
    // An unparsable URL is only compared as given.
  }
  return [...variants];
};

export const isValidTwilioSignature = (
  authToken: string | undefined,
  url: string,
  params: ReadonlyArray<readonly [string, string]>,
  header: string | undefined,
): boolean => {
  if (!authToken || !header) return false;
  const given = Buffer.from(header.trim());
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params));
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
};
