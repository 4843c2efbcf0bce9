/**
 * Quoting values in messages, capped: a declared value can be megabytes long (a role list
 * pasted by mistake, a generated login ID), and a message quoting it whole buries the status
 * and the reason it was written for (the engine also cuts or repeats long messages).
 */

/** The most characters of one value a message quotes; longer values end in `…`. */
export const MAX_QUOTED_CHARS = 200;

/** `value` cut to `max` characters, the last one `…`, when longer. */
export function capText(value: string, max = MAX_QUOTED_CHARS): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** `value` as a JSON string, cut to {@link MAX_QUOTED_CHARS} characters first. */
export function quote(value: string, max = MAX_QUOTED_CHARS): string {
  return JSON.stringify(capText(value, max));
}
