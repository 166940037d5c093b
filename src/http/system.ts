import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sendProblem } from './errors.js';
import { errorResponses } from './schemas.js';

/**
 * Liveness and readiness, outside the API's scope: never rate limited, shed or authenticated,
 * so an orchestrator's probe answers even while the API is overloaded.
 */
export const systemRoutes: FastifyPluginAsyncTypebox<{ ping: () => Promise<unknown> }> = async (
  app,
  { ping },
) => {
  const system = { tags: ['System'], security: [] };
  app.get(
    '/health',
    {
      schema: {
        ...system,
        operationId: 'health',
        summary: 'Liveness',
        description: 'Answers 200 while the process runs, even when the API sheds load. Public.',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/ready',
    {
      schema: {
        ...system,
        operationId: 'ready',
        summary: 'Readiness',
        description: 'Answers 200 when the database answers a query, 503 otherwise. Public.',
        response: { 200: Type.Object({ status: Type.Literal('ready') }), ...errorResponses(503) },
      },
    },
    async (request, reply) => {
      try {
        await ping();
        return { status: 'ready' as const };
      } catch (error) {
        request.log.error({ err: error }, 'database not ready');
        return sendProblem(request, reply, 503, 'not-ready', 'The database does not answer');
      }
    },
  );
};
