import ipaddr from "ipaddr.js";

const normalise = (address: string): ipaddr.IPv4 | ipaddr.IPv6 | null => {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.parse(address);
  // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; match them against IPv4 ranges.
  return parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? (parsed as ipaddr.IPv6).toIPv4Address()
    : parsed;
};

/** A CIDR range (or a single address, taken as /32 or /128), or null when it is not one. */
export const parseRange = (range: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null => {
  try {
    if (range.includes("/")) return ipaddr.parseCIDR(range);
    const address = normalise(range);
    return address ? [address, address.kind() === "ipv4" ? 32 : 128] : null;
  } catch {
    return null;
  }
};

/** An empty allowlist allows everyone. */
export const isIpAllowed = (ip: string, allowlist: readonly string[]): boolean => {
  if (allowlist.length === 0) return true;
  const address = normalise(ip);
  if (!address) return false;
  return allowlist.some((range) => {
    const parsed = parseRange(range);
    return parsed !== null && parsed[0].kind() === address.kind() && address.match(parsed);
  });
};
