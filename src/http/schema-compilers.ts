import { createHash } from 'node:crypto';
import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

/**
 * Fastify's schema compilers, with what they compile kept for the life of the process: routes
 * share most schemas (every error answer is the same problem+json), and the tests build hundreds
 * of apps from the same schemas. Compiling them once instead of per route and per app took
 * about two seconds off every app's start.
 */

const ajvBase = { removeAdditional: false, useDefaults: true, allErrors: true } as const;
// One factory for the process: it keeps one Ajv per (shared schemas, options), and Ajv keeps
// what it compiled per schema object.
const ajvFactory = AjvCompiler();

type ValidatorFactory = ReturnType<typeof AjvCompiler>;
type ValidatorOptions = Extract<Parameters<ValidatorFactory>[1], { mode?: 'JSON' }>;

/**
 * Validators: bodies are JSON and are never coerced ("12" is not a number); query strings and
 * path parameters are text, so those are coerced to the declared types.
 */
export function buildValidator(externalSchemas: Parameters<ValidatorFactory>[0], options: ValidatorOptions) {
  const strict = ajvFactory(externalSchemas, {
    ...options,
    customOptions: { ...options.customOptions, ...ajvBase, coerceTypes: false },
  });
  const lenient = ajvFactory(externalSchemas, {
    ...options,
    customOptions: { ...options.customOptions, ...ajvBase, coerceTypes: 'array' },
  });
  return (route: { httpPart?: string }) => (route.httpPart === 'body' ? strict : lenient)(route as never);
}

type Serializer = (data: unknown) => string;
const fastJsonStringify = SerializerSelector();
const serializers = new Map<string, Serializer>();
const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/** Response serializers (fast-json-stringify), one per distinct schema and set of shared schemas. */
export function buildSerializer(externalSchemas: unknown, options: Parameters<typeof fastJsonStringify>[1]) {
  const compile = fastJsonStringify(externalSchemas, options);
  const context = digest([externalSchemas, options]);
  return (route: Parameters<typeof compile>[0]): Serializer => {
    const key = `${context}.${digest(route.schema)}`;
    let serializer = serializers.get(key);
    if (!serializer) {
      serializer = compile(route);
      serializers.set(key, serializer);
    }
    return serializer;
  };
}
