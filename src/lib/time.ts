import { DomainError } from './errors.js';

/**
 * An ISO 8601 date-time as the canonical UTC instant ('2026-11-28T09:30:00.000Z'). JSON Schema's
 * date-time admits a leap second (23:59:60), which Date cannot parse: it is read as the instant
 * after 23:59:59, as POSIX clocks do. Anything else Date cannot parse is a 400 naming it.
 */
export function toInstant(value: string): string {
  const leap = /^(.*T\d{2}:\d{2}:)60(\.\d+)?(.*)$/.exec(value);
  const parsed = leap ? Date.parse(`${leap[1]}59${leap[3]}`) + 1000 : Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new DomainError('bad-request', 'invalid-date', `"${value}" is not a real date-time`);
  }
  return new Date(parsed).toISOString();
}
