import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { AppError } from "../../platform/errors.ts";

/**
 * Webhook targets are chosen by workspace admins, so without this guard a workspace could make
 * Parley call its own internal network (databases, admin ports, the cloud metadata service).
 */
const forbidden = new BlockList();
forbidden.addSubnet("0.0.0.0", 8, "ipv4");
forbidden.addSubnet("10.0.0.0", 8, "ipv4");
forbidden.addSubnet("100.64.0.0", 10, "ipv4"); // carrier-grade NAT, also Alibaba's metadata address
forbidden.addSubnet("127.0.0.0", 8, "ipv4");
forbidden.addSubnet("169.254.0.0", 16, "ipv4"); // link-local, incl. 169.254.169.254 (AWS/GCP/Azure metadata)
forbidden.addSubnet("172.16.0.0", 12, "ipv4");
forbidden.addSubnet("192.168.0.0", 16, "ipv4");
forbidden.addSubnet("224.0.0.0", 4, "ipv4"); // multicast
forbidden.addSubnet("240.0.0.0", 4, "ipv4"); // reserved and broadcast
forbidden.addAddress("::", "ipv6");
forbidden.addAddress("::1", "ipv6");
forbidden.addSubnet("fe80::", 10, "ipv6");
forbidden.addSubnet("fc00::", 7, "ipv6"); // unique-local, incl. fd00:ec2::254 (AWS metadata over IPv6)
forbidden.addSubnet("ff00::", 8, "ipv6");

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it is. */
const unmapped = (address: string): string => {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match?.[1] ?? address;
};

export const isForbiddenAddress = (address: string): boolean => {
  const plain = unmapped(address);
  const family = isIP(plain);
  if (family === 0) return true;
  return forbidden.check(plain, family === 4 ? "ipv4" : "ipv6");
};

export type ResolvedAddress = { address: string; family: number };

/** What `url.hostname` gives for `[::1]` is `[::1]`; DNS and isIP want it without brackets. */
const bareHost = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, "$1");

/** Every address the URL's host resolves to; AppError validation_failed when it is not usable. */
export const resolveTarget = async (rawUrl: string): Promise<ResolvedAddress[]> => {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new AppError("validation_failed", "The webhook URL is not a valid URL.", [{ path: "url", message: "invalid URL" }]);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError("validation_failed", "Webhooks are delivered over http or https only.", [
      { path: "url", message: "must be http(s)" },
    ]);
  }
  const host = bareHost(url.hostname);
  if (isIP(host) !== 0) return [{ address: host, family: isIP(host) }];
  const addresses = await lookup(host, { all: true, verbatim: true }).catch(() => []);
  if (addresses.length === 0) {
    throw new AppError("validation_failed", `The webhook host "${host}" does not resolve.`, [
      { path: "url", message: "host does not resolve" },
    ]);
  }
  return addresses;
};

export class ForbiddenTargetError extends AppError {
  constructor() {
    super("validation_failed", "Webhook targets on loopback, private, link-local or metadata addresses are refused.", [
      { path: "url", message: "resolves to a private or reserved address" },
    ]);
  }
}

/**
 * Refuses the target when any of its addresses is on loopback, private, link-local or metadata
 * ranges, unless private targets are allowed. Every address is checked, not only the first,
 * because the HTTP client may pick any of them.
 */
export const assertPublicTarget = (addresses: readonly ResolvedAddress[], options: { isPrivateTargetAllowed: boolean }): void => {
  if (!options.isPrivateTargetAllowed && addresses.some((entry) => isForbiddenAddress(entry.address))) {
    throw new ForbiddenTargetError();
  }
};

/** Resolves and checks a webhook URL: what subscribing and delivering both do. */
export const resolvePublicTarget = async (
  rawUrl: string,
  options: { isPrivateTargetAllowed: boolean },
): Promise<ResolvedAddress[]> => {
  const addresses = await resolveTarget(rawUrl);
  assertPublicTarget(addresses, options);
  return addresses;
};
