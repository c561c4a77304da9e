import { BlockList, isIP } from 'node:net';

/**
 * The addresses allowed to hand the mdm process a client certificate in MDM_CLIENT_CERT_HEADER:
 * the TLS-terminating proxies, as IP addresses or CIDR ranges (IPv4 or IPv6), comma-separated.
 */
export class TrustedProxies {
  private constructor(
    private readonly list: BlockList,
    readonly entries: readonly string[],
  ) {}

  /** Throws an Error naming the first entry that is neither an IP address nor a CIDR range. */
  static parse(text: string): TrustedProxies {
    const list = new BlockList();
    const entries = text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const entry of entries) {
      const [address, prefix, ...rest] = entry.split('/');
      const family = isIP(address);
      const bits = family === 4 ? 32 : 128;
      const prefixLength = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
      if (family === 0 || rest.length > 0 || !(prefixLength >= 0 && prefixLength <= bits)) {
        throw new Error(`${JSON.stringify(entry)} is neither an IP address nor a CIDR range`);
      }
      list.addSubnet(address, prefixLength, family === 4 ? 'ipv4' : 'ipv6');
    }
    return new TrustedProxies(list, entries);
  }

  /** Whether a peer address (as Node reports it, IPv4-mapped IPv6 included) is a trusted proxy. */
  allows(address: string | undefined): boolean {
    if (!address) return false;
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}
