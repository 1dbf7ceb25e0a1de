import ipaddr from "ipaddr.js";
import type { Socket } from "socket.io";

export { type ParsedUserAgent, parseUserAgent } from "../../platform/user-agent.ts";

const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"] as const;

/** The campaign parameters of a landing page's address (`utm_source` → `source` …). */
export const utmOf = (url: string | null | undefined): Record<string, string> => {
  if (!url) return {};
  try {
    const params = new URL(url).searchParams;
    return Object.fromEntries(
      UTM_KEYS.flatMap((key) => {
        const value = params.get(key);
        return value ? [[key.slice(4), value.slice(0, 200)]] : [];
      }),
    );
  } catch {
    return {};
  }
};

/** A browser-reported address kept only when it is a web page's. */
export const webUrlOrNull = (url: string | null | undefined): string | null => {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? url.slice(0, 2048) : null;
  } catch {
    return null;
  }
};

/** The client's address of a widget socket, read the way the HTTP side reads it (trust proxy → first forwarded hop). */
export const socketClientIp = (socket: Socket, trustProxy: boolean): string | null => {
  const forwarded = socket.handshake.headers["x-forwarded-for"];
  if (trustProxy && typeof forwarded === "string") {
    const first = forwarded.split(",")[0]?.trim();
    if (first && ipaddr.isValid(first)) return first;
  }
  return socket.handshake.address || null;
};

const normalise = (address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 =>
  address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;

/** A ban's range in canonical form ("203.0.113.0/24", "2001:db8::/32"), or null when it is not one. */
export const canonicalIpRange = (range: string): string | null => {
  try {
    if (range.includes("/")) {
      const [address, bits] = ipaddr.parseCIDR(range);
      const normalised = normalise(address);
      const prefix = normalised.kind() === address.kind() ? bits : bits - 96;
      if (prefix < 0) return null;
      const network =
        normalised.kind() === "ipv4"
          ? ipaddr.IPv4.networkAddressFromCIDR(`${normalised.toString()}/${prefix}`)
          : ipaddr.IPv6.networkAddressFromCIDR(`${normalised.toString()}/${prefix}`);
      return `${network.toString()}/${prefix}`;
    }
    if (!ipaddr.isValid(range)) return null;
    const address = normalise(ipaddr.parse(range));
    return `${address.toString()}/${address.kind() === "ipv4" ? 32 : 128}`;
  } catch {
    return null;
  }
};

/** Whether an address falls in a range (CIDR or single address, IPv4 or IPv6; IPv4-mapped IPv6 counts as IPv4). */
export const isIpInRange = (ip: string | null | undefined, range: string): boolean => {
  if (!ip || !ipaddr.isValid(ip)) return false;
  const canonical = canonicalIpRange(range);
  if (!canonical) return false;
  const address = normalise(ipaddr.parse(ip));
  const [network, bits] = ipaddr.parseCIDR(canonical);
  return address.kind() === network.kind() && address.match(network, bits);
};
