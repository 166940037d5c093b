import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { DomainError, type DomainErrorKind, isConstraintViolation } from '../lib/errors.js';
import type { Problem } from './schemas.js';
import { type AjvError, fieldErrors } from './validation-errors.js';

const PROBLEM_BASE = 'https://broadsheet.dev/problems/';

const statusOfKind: Record<DomainErrorKind, number> = {
  'bad-request': 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'precondition-failed': 412,
  'precondition-required': 428,
  unprocessable: 422,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unavailable: 503,
};

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

// Fastify's own client errors, by code, with the problem type we give each.
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
};

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): FastifyReply {
  const problem: Problem = {
    type: `${PROBLEM_BASE}${code}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance: request.url.split('?')[0],
    ...extensions,
  };
  return reply
    .code(status)
    .type('application/problem+json')
    .header('cache-control', 'no-store')
    .send(problem);
}

// Every route's path and method, to tell a wrong method (405 + Allow) from an unknown path (404).
const METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** 404 for an unknown path; 405 with `Allow` when the path is known for other methods. */
export function sendNotFound(
  request: FastifyRequest,
  reply: FastifyReply,
  routes: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>,
) {
  const path = request.url.split('?')[0] ?? '/';
  const allowed = METHODS.filter((method) => routes.find(method, path) !== null);
  if (allowed.length > 0 && !allowed.includes(request.method as HTTPMethod)) {
    reply.header('allow', allowed.join(', '));
    return sendProblem(
      request,
      reply,
      405,
      'method-not-allowed',
      `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
    );
  }
  return sendProblem(request, reply, 404, 'not-found', `No route for ${request.method} ${path}`);
}

/**
 * Errors Node's HTTP parser meets before Fastify has a request (431 header overflow, a bad
 * Content-Length...): written by hand, as problem+json like every other error.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431
      ? 'The request headers are larger than the server accepts'
      : status === 408
        ? 'The request took too long to arrive'
        : 'The request is not valid HTTP (for example a Content-Length that does not match the body)';
  const body = JSON.stringify({
    type: `${PROBLEM_BASE}${status === 400 ? 'bad-request' : status === 431 ? 'headers-too-large' : 'request-timeout'}`,
    title: STATUS_CODES[status],
    status,
    detail,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Turns every error into an RFC 9457 problem; 5xx details are logged, never sent. */
export function registerErrorHandling(app: FastifyInstance): void {
  const routes = FindMyWay({ ignoreTrailingSlash: true });
  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    // No route matched, yet Fastify's body checks ran first (QUERY without a Content-Type was a
    // 400): the answer is still 404, or 405 with Allow.
    if (
      request.is404 &&
      /^FST_ERR_(CTP_|ROUTE_MISSING_CONTENT_TYPE)/.test(String((error as FastifyError).code))
    ) {
      return sendNotFound(request, reply, routes);
    }
    if (error instanceof DomainError) {
      return sendProblem(
        request,
        reply,
        statusOfKind[error.kind],
        error.code,
        error.message,
        error.extensions,
      );
    }
    if (error.validation) {
      const context = error.validationContext ?? 'request';
      const checked = { querystring: request.query, body: request.body, params: request.params }[
        context as 'querystring'
      ];
      const { listed, more } = fieldErrors(context, error.validation as AjvError[], checked);
      const summary = listed.map((e) => `${e.path} ${e.message}`).join('; ');
      const andMore = more > 0 ? `; and ${more} more` : '';
      return sendProblem(request, reply, 400, 'validation-error', `Invalid request: ${summary}${andMore}`, {
        errors: listed,
        ...(more > 0 ? { moreErrors: more } : {}),
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code =
        fastifyCodes[error.code] ?? (error instanceof SyntaxError ? 'malformed-json' : 'bad-request');
      const detail =
        code === 'malformed-json'
          ? `Malformed JSON body: ${error.message}`
          : code === 'unsupported-media-type'
            ? `Send the body as application/json (this request said ${request.headers['content-type'] ?? 'nothing'})`
            : error.message;
      return sendProblem(request, reply, status, status === 429 ? 'rate-limited' : code, detail);
    }
    if (isConstraintViolation(error)) {
      // A backstop: repositories check first, inside the write transaction, so this means a
      // rule the checks missed. Still the client's conflict, not a server failure.
      return sendProblem(request, reply, 409, 'conflict', 'The change conflicts with existing data');
    }
    if (status === 503) {
      // Load shedding (@fastify/under-pressure) has set Retry-After already.
      return sendProblem(
        request,
        reply,
        503,
        'overloaded',
        'The server is overloaded; retry after Retry-After seconds',
      );
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, 500, 'internal-error', 'The server failed to handle this request.');
  });

  app.addHook('onRoute', (route) => {
    // Catch-alls (CORS preflight's OPTIONS *) say nothing about which paths exist.
    if (route.url.includes('*')) return;
    for (const method of [route.method].flat()) routes.on(method as HTTPMethod, route.url, () => {});
  });
  app.setNotFoundHandler((request, reply) => sendNotFound(request, reply, routes));
  app.decorate('knownRoutes', routes);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route's method and path, for telling 405 from 404. */
    knownRoutes: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  }
}

/** Errors the router raises before a route is chosen (a path parameter too long, a bad URL). */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(
      request,
      reply,
      414,
      'uri-too-long',
      'A path segment is longer than the server accepts',
    );
  }
  return sendProblem(request, reply, 400, 'bad-url', 'The URL is not valid (malformed percent-encoding?)');
}
