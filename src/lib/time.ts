import { DomainError } from './errors.js';

/**
 * An ISO 8601 date-time as the canonical UTC instant ('2026-11-28T09:30:00.000Z'). JSON Schema's
 * date-time admits a leap second (23:59:60), which Date cannot parse: it is read as the instant
 * after 23:59:59, as POSIX clocks do. Anything else Date cannot parse is a 400 naming it.
 */
export function toInstant(value: string): string {
  const leap = /^(.*T\d{2}:\d{2}:)60(\.\d+)?(.*)$/.exec(value);
  const parsed = leap ? Date.parse(`${leap[1]}59${leap[3]}`) + 1000 : Date.parse(value);
  if (Number.isNaN(parsed) || !isCalendarDate(value)) {
    throw new DomainError('bad-request', 'invalid-date', `"${value}" is not a real date-time`);
  }
  return new Date(parsed).toISOString();
}

/** Whether the date a value starts with exists: Date.parse rolls 2024-02-30 over into March. */
function isCalendarDate(value: string): boolean {
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!date) return true; // not ISO 8601: Date.parse has judged it
  const [year, month, day] = date.slice(1).map(Number) as [number, number, number];
  const real = new Date(Date.UTC(year, month - 1, day));
  return real.getUTCMonth() === month - 1 && real.getUTCDate() === day;
}
