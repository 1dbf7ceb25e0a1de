/**
 * Cookie-authenticated requests (dashboard) must come from Parley's own pages: a request whose
 * Origin is another site is refused, which stops cross-site request forgery and socket hijacking.
 */
export const isTrustedOrigin = (
  origin: string | undefined,
  host: string | undefined,
  allowed: { publicUrl: string; corsOrigins: readonly string[] },
): boolean => {
  if (origin === undefined) return true; // not a browser cross-site request (curl, server-to-server, same-origin GET)
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (host !== undefined && parsed.host === host) return true;
  if (parsed.origin === new URL(allowed.publicUrl).origin) return true;
  return allowed.corsOrigins.some((candidate) => new URL(candidate).origin === parsed.origin);
};

export const SESSION_COOKIE = "parley_session";

/** Reads one cookie from a Cookie header without pulling in a parser for the socket handshake. */
export const readCookie = (header: string | undefined, name: string): string | undefined => {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator === -1) continue;
    if (part.slice(0, separator).trim() === name) {
      try {
        return decodeURIComponent(part.slice(separator + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
};
