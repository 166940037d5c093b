import type { FastifyRequest } from 'fastify';
import { isSecretParameter } from './auth.js';

/**
 * What looks like a Broadsheet secret (an API key `bsk_…`, a webhook secret `whsec_…`) wherever
 * it stands, its marker percent-encoded or not: in the path, under any parameter name, in a value.
 */
const SECRET_LOOKALIKE = /(bsk|whsec)(_|%5f)[A-Za-z0-9_+/=%-]+/gi;

/**
 * The URL as logged: anything that looks like a key is replaced, and so is the value of any
 * query parameter a secret travels under.
 */
export function redactUrl(url: string): string {
  const redacted = url.replace(SECRET_LOOKALIKE, (_, marker: string) => `${marker}_[REDACTED]`);
  const query = redacted.indexOf('?');
  if (query < 0) return redacted;
  const parameters = redacted
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const name = decodeURIComponentSafe(pair.split('=')[0] ?? '');
      return isSecretParameter(name) ? `${pair.split('=')[0]}=[REDACTED]` : pair;
    });
  return `${redacted.slice(0, query)}?${parameters.join('&')}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** What a request log line says about the request: never a key, in a header or in the URL. */
export function requestSerializer(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
