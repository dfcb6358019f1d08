import { lookup } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

/**
 * Where a site's webhook may be delivered. A site's admin types the URL, so without this check an
 * admin of one tenant could make intake POST into the network it runs in (a cloud metadata service
 * at 169.254.169.254, a pod's admin port, a database's HTTP interface): server-side request forgery.
 * Loopback, private, link-local, shared, benchmark, multicast and reserved ranges are refused, for a
 * literal address and for every address a name resolves to, at the moment of connecting (so a name
 * that resolves publicly when checked and privately when used, DNS rebinding, gains nothing).
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, "ipv6");

/** Whether `address` (an IP literal) lies outside the public internet; IPv4-mapped IPv6 counts as its IPv4. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address.replace(/^\[|\]$/g, ""));
  if (family === 0) return false;
  return NOT_PUBLIC.check(address.replace(/^\[|\]$/g, ""), family === 6 ? "ipv6" : "ipv4");
}

/** Why `url` may not be posted to before any lookup (its host is a non-public literal), else undefined. */
export function literalRefusal(url: string): string | undefined {
  const host = new URL(url).hostname;
  return isNonPublicAddress(host) ? `${host} is not a public address` : undefined;
}

/** The error a refused name gives: final, not retried. */
export const NON_PUBLIC_CODE = "ENONPUBLICADDRESS";

/**
 * A `lookup` for the socket's connect that keeps only public addresses of a name, and fails the
 * connection (code ENONPUBLICADDRESS) when none is left.
 */
export const publicOnlyLookup = ((hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const allowed = addresses.filter((a) => !isNonPublicAddress(a.address));
    const first = allowed[0];
    if (!first) {
      const refused = Object.assign(new Error(`${hostname} resolves to no public address`), { code: NON_PUBLIC_CODE });
      return callback(refused, "", 0);
    }
    if ((options as { all?: boolean }).all) return (callback as (e: null, a: typeof allowed) => void)(null, allowed);
    callback(null, first.address, first.family);
  });
}) as LookupFunction;
