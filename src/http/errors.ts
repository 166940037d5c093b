import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isConstraintViolation } from '../db/helpers.js';
import { DomainError, type DomainErrorKind } from '../lib/errors.js';
import type { Problem } from './schemas.js';

const PROBLEM_BASE = 'https://broadsheet.dev/problems/';

const statusOfKind: Record<DomainErrorKind, number> = {
  'bad-request': 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'precondition-failed': 412,
  'precondition-required': 428,
  unprocessable: 422,
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
  415: 'Unsupported Media Type',
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

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Ajv errors as `{ path, message }`, with paths that name the offending field itself. */
function fieldErrors(context: string, errors: AjvError[]) {
  return errors.map((error) => {
    let path = `/${context}${error.instancePath}`;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties') {
      path += `/${String(error.params.additionalProperty)}`;
      message = 'is not a known field';
    } else if (error.keyword === 'required') {
      path += `/${String(error.params.missingProperty)}`;
      message = 'is required';
    }
    return { path, message };
  });
}

/** Turns every error into an RFC 9457 problem; 5xx details are logged, never sent. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
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
      const errors = fieldErrors(error.validationContext ?? 'request', error.validation as AjvError[]);
      const summary = errors.map((e) => `${e.path} ${e.message}`).join('; ');
      return sendProblem(request, reply, 400, 'validation-error', `Invalid request: ${summary}`, { errors });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code =
        fastifyCodes[error.code] ?? (error instanceof SyntaxError ? 'malformed-json' : 'bad-request');
      const detail = code === 'malformed-json' ? `Malformed JSON body: ${error.message}` : error.message;
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

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      404,
      'not-found',
      `No route for ${request.method} ${request.url.split('?')[0]}`,
    ),
  );
}
