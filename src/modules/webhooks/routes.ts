import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireScope } from '../../http/auth.js';
import { DEFAULT_PER_PAGE, ListEnvelope, pageOf, pageQuery } from '../../http/pagination.js';
import { errorResponses, IdParams, RefOf } from '../../http/schemas.js';
import { DomainError } from '../../lib/errors.js';
import type { BackgroundJobs } from '../jobs/background-jobs.js';
import type { RouteOptions } from '../services.js';
import { destinationProblem, parseWebhookUrl } from './address-policy.js';
import { newSigningSecret } from './delivery.js';
import {
  WebhookAttemptSchema,
  WebhookCreateSchema,
  WebhookPatchSchema,
  WebhookSchema,
  WebhookWithSecretSchema,
} from './schemas.js';

const tags = ['Webhooks'];
const security = requireScope('webhooks:manage');
const PageQuery = Type.Object(pageQuery, { additionalProperties: false });
const DeliveryParams = Type.Object(
  {
    id: IdParams.properties.id,
    eventId: Type.String({ minLength: 1, maxLength: 64, pattern: '^msg_[A-Za-z0-9_-]+$' }),
  },
  { additionalProperties: false },
);

export interface WebhookRouteOptions extends RouteOptions {
  jobs: BackgroundJobs;
  allowPrivate: boolean;
}

/** Webhook endpoints: who is told about which changes, and the log of what was sent. */
type TypeBoxApp = Parameters<FastifyPluginAsyncTypebox>[0];

/** Registering, listing, changing and removing endpoints. */
function endpointRoutes(app: TypeBoxApp, { services, allowPrivate }: WebhookRouteOptions): void {
  const { webhooks } = services;
  const assertDeliverable = async (url: string) => {
    const problem = await destinationProblem(parseWebhookUrl(url), allowPrivate);
    if (problem) throw new DomainError('unprocessable', 'webhook-url-refused', problem);
  };

  app.post(
    '/webhooks',
    {
      schema: {
        operationId: 'createWebhook',
        summary: 'Add a webhook endpoint',
        description:
          'Needs `webhooks:manage`. Events are signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the `secret` returned here, and only here. See the `webhooks` section of this document for the payloads.',
        tags,
        security,
        body: RefOf(WebhookCreateSchema),
        response: {
          201: RefOf(WebhookWithSecretSchema),
          ...errorResponses(400, 401, 403, 413, 415, 422, 429),
        },
      },
      config: { secretFields: ['secret'] },
    },
    async (request, reply) => {
      await assertDeliverable(request.body.url);
      const secret = newSigningSecret();
      const webhook = await webhooks.create(request.body, secret, request.instant);
      reply.code(201).header('location', `${request.url.split('?')[0]}/${webhook.id}`);
      return { ...webhook, secret };
    },
  );

  app.get(
    '/webhooks',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'listWebhooks',
        summary: 'List webhook endpoints',
        description: 'Needs `webhooks:manage`. Secrets are never shown again.',
        tags,
        security,
        querystring: PageQuery,
        response: {
          200: ListEnvelope(RefOf(WebhookSchema), 'WebhookList'),
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, perPage = DEFAULT_PER_PAGE } = request.query;
      return pageOf(request, reply, { ...(await webhooks.list(page, perPage)), page, perPage });
    },
  );

  app.get(
    '/webhooks/:id',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'getWebhook',
        summary: 'Get a webhook endpoint',
        description: 'Needs `webhooks:manage`.',
        tags,
        security,
        params: IdParams,
        response: { 200: RefOf(WebhookSchema), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => await webhooks.get(request.params.id),
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        operationId: 'updateWebhook',
        summary: 'Update a webhook endpoint',
        description:
          'Needs `webhooks:manage`. `active: true` enables an endpoint Broadsheet disabled (deliveries it missed while disabled are not sent). `rotateSecret: true` issues a new secret, returned once.',
        tags,
        security,
        params: IdParams,
        body: RefOf(WebhookPatchSchema),
        response: {
          200: Type.Union([RefOf(WebhookSchema), RefOf(WebhookWithSecretSchema)]),
          ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429),
        },
      },
    },
    async (request) => {
      const { rotateSecret, ...patch } = request.body;
      if (patch.url !== undefined) await assertDeliverable(patch.url);
      const secret = rotateSecret ? newSigningSecret() : undefined;
      const webhook = await webhooks.update(request.params.id, { ...patch, secret }, request.instant);
      return secret ? { ...webhook, secret } : webhook;
    },
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        operationId: 'deleteWebhook',
        summary: 'Remove a webhook endpoint',
        description: 'Needs `webhooks:manage`. Its pending deliveries and log go with it.',
        tags,
        security,
        params: IdParams,
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await webhooks.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
}

/** Pings, the delivery log and redeliveries. */
function deliveryRoutes(app: TypeBoxApp, { services, jobs }: WebhookRouteOptions): void {
  const { webhooks } = services;

  app.post(
    '/webhooks/:id/test',
    {
      schema: {
        operationId: 'pingWebhook',
        summary: 'Send a ping',
        description:
          'Needs `webhooks:manage`. Sends a signed `ping` event to the endpoint now (even a disabled one) and answers with the attempt, as the delivery log records it.',
        tags,
        security,
        params: IdParams,
        response: { 200: RefOf(WebhookAttemptSchema), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => jobs.sendNow(await webhooks.claimPing(request.params.id, request.instant)),
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'listWebhookDeliveries',
        summary: 'The delivery log',
        description:
          'Needs `webhooks:manage`. Every attempt, newest first: event id and type, attempt number, response status, duration, error, time and the next attempt.',
        tags,
        security,
        params: IdParams,
        querystring: PageQuery,
        response: {
          200: ListEnvelope(RefOf(WebhookAttemptSchema), 'WebhookAttemptList'),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, perPage = DEFAULT_PER_PAGE } = request.query;
      return pageOf(request, reply, {
        ...(await webhooks.attempts(request.params.id, page, perPage)),
        page,
        perPage,
      });
    },
  );

  app.post(
    '/webhooks/:id/deliveries/:eventId/retry',
    {
      schema: {
        operationId: 'retryWebhookDelivery',
        summary: 'Redeliver an event now',
        description:
          'Needs `webhooks:manage`. Sends the event again at once (same `webhook-id`), whatever its state, and answers with the attempt; a failure resumes the retry schedule.',
        tags,
        security,
        params: DeliveryParams,
        response: { 200: RefOf(WebhookAttemptSchema), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      jobs.sendNow(await webhooks.claimRetry(request.params.id, request.params.eventId, request.instant)),
  );
}

export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRouteOptions> = async (app, options) => {
  endpointRoutes(app, options);
  deliveryRoutes(app, options);
};
