import type { FastifyRequest } from 'fastify';
import { SECRET_QUERY_PARAMETERS } from './auth.js';

/** The URL as logged: the value of any query parameter that can carry a secret is replaced. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const parameters = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const name = decodeURIComponentSafe(pair.split('=')[0] ?? '').toLowerCase();
      return SECRET_QUERY_PARAMETERS.includes(name) ? `${pair.split('=')[0]}=[REDACTED]` : pair;
    });
  return `${url.slice(0, query)}?${parameters.join('&')}`;
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
