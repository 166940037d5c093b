import { EVENT_TYPES, type EventType } from '../events/repository.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const tombstone = {
  type: 'object',
  required: ['id', 'slug'],
  properties: { id: { type: 'integer' }, slug: { type: ['string', 'null'] } },
};

/** What `data` holds for each event type: the resource as an admin reads it, or a tombstone. */
function dataSchema(type: EventType): object {
  if (type === 'ping')
    return { type: 'object', properties: { id: { type: 'integer', description: 'The webhook' } } };
  if (type.endsWith('.deleted') && type !== 'comment.deleted') return tombstone;
  if (type === 'comment.deleted') {
    return {
      type: 'object',
      properties: { id: { type: 'integer' }, articleId: { type: 'integer' } },
    };
  }
  if (type === 'article.unpublished') return tombstone;
  const resource = type.split('.')[0] ?? '';
  return ref(resource.charAt(0).toUpperCase() + resource.slice(1));
}

/**
 * The OpenAPI 3.1 `webhooks` section: one entry per event type, each a signed POST of
 * `{type, timestamp, data}` that Broadsheet sends to subscribed endpoints.
 */
export function webhookDocumentation(): Record<string, object> {
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `on${type
            .split('.')
            .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
            .join('')}`,
          summary: `${type}`,
          description:
            'Sent as JSON with the Standard Webhooks headers `webhook-id` (the same on every retry of this event), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the base64-decoded part of the endpoint secret after `whsec_`). Any 2xx acknowledges it; 410 disables the endpoint; anything else is retried.',
          parameters: [
            { name: 'webhook-id', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'webhook-timestamp', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'webhook-signature', in: 'header', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['type', 'timestamp', 'data'],
                  properties: {
                    type: { const: type },
                    timestamp: {
                      type: 'string',
                      format: 'date-time',
                      description: 'When the change happened',
                    },
                    data: dataSchema(type),
                    by: { $ref: '#/components/schemas/EventActor' },
                  },
                },
              },
            },
          },
          responses: {
            '2XX': { description: 'Received' },
            '410': { description: 'Stop sending: disables the endpoint' },
          },
        },
      },
    ]),
  );
}
