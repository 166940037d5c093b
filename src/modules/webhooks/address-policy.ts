import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { DomainError } from '../../lib/errors.js';

/**
 * Where webhooks may go: public unicast addresses only, unless WEBHOOK_ALLOW_PRIVATE. Loopback,
 * private, link-local (cloud metadata at 169.254.169.254), unique-local, carrier NAT, multicast
 * and reserved ranges are refused, IPv4-mapped IPv6 included. Checked when a URL is saved and
 * again on every connection (a name can resolve elsewhere later: DNS rebinding).
 */
export function addressProblem(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  const parsed = embeddedIPv4(ipaddr.process(address));
  const range = parsed.range();
  return range === 'unicast' ? undefined : `${parsed.toString()} is a ${range} address`;
}

/**
 * IPv4-compatible IPv6 (`::127.0.0.1`, written `::7f00:1`: deprecated, yet some stacks still
 * route it to the IPv4 address) is judged as the address it embeds; ipaddr.js calls it unicast.
 */
function embeddedIPv4(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (address.kind() !== 'ipv6') return address;
  const parts = (address as ipaddr.IPv6).parts;
  if (parts.slice(0, 6).some((part) => part !== 0)) return address;
  const [high = 0, low = 0] = parts.slice(6);
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * A webhook URL as the HTTP client will read it: `format: uri` admits hosts no client can
 * reach (`http://1.2.3.4.5/`, `http://0x100000000/`, port 65536, `http://xn--/`), a 400 here.
 */
export function parseWebhookUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new DomainError(
      'bad-request',
      'invalid-webhook-url',
      `"${url}" is not a URL an HTTP client can reach`,
      {
        errors: [{ path: '/body/url', message: 'must be an http(s) URL with a valid host and port' }],
      },
    );
  }
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/** Why this URL may not receive webhooks, or undefined when it may. */
export async function destinationProblem(url: URL, allowPrivate: boolean): Promise<string | undefined> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Webhook URLs must be http or https';
  if (url.username || url.password) return 'Webhook URLs carry no credentials: the signature authenticates';
  if (allowPrivate) return undefined;
  const host = hostOf(url);
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host)
      ? [host]
      : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch {
    return `${host} does not resolve`;
  }
  for (const address of addresses) {
    const problem = addressProblem(address);
    if (problem) return `${host} resolves to ${problem}: webhooks go to public addresses only`;
  }
  return undefined;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for the HTTP client's sockets: resolves as usual, then refuses the connection
 * when any address is not public, so what is checked is what is connected to.
 */
export function guardedLookup(
  hostname: string,
  options: { all?: boolean; family?: number },
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, entries) => {
    if (error) return callback(error, []);
    const list = entries as LookupAddress[];
    const refused = list.map((entry) => addressProblem(entry.address)).find(Boolean);
    if (refused) {
      return callback(
        Object.assign(new Error(`Refused: ${hostname} resolves to ${refused}`), { code: 'EREFUSED' }),
        [],
      );
    }
    if (options.all) return callback(null, list);
    const first = list[0];
    return first
      ? callback(null, first.address, first.family)
      : callback(new Error(`${hostname} has no address`), []);
  });
}
