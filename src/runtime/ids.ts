import { randomUUID } from "node:crypto";

let lastMillis = 0;
let sequence = 0;
/** The id's time part for `prefixMillis`, made once per millisecond. */
let prefixMillis = Number.NaN;
let prefix = "";

/**
 * A UUIDv7-shaped id: 48 bits of milliseconds, then a per-process sequence, then randomness. Ids
 * sort chronologically as strings, and strictly increase within one process even within a
 * millisecond, which is what makes "the latest checkpoint" the greatest id.
 */
export function newCheckpointId(): string {
  let millis = Date.now();
  if (millis <= lastMillis) {
    millis = lastMillis;
    sequence += 1;
    if (sequence > 0xfff) {
      millis += 1;
      sequence = 0;
    }
  } else {
    sequence = 0;
  }
  lastMillis = millis;
  if (millis !== prefixMillis) {
    const time = millis.toString(16).padStart(12, "0");
    prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    prefixMillis = millis;
  }
  return `${prefix}${sequence.toString(16).padStart(3, "0")}-${randomUUID().slice(19)}`;
}

let isoMillis = Number.NaN;
let isoText = "";

/**
 * `new Date(millis).toISOString()`, remembering the last answer: a run's supersteps and tasks
 * mostly start and commit within the same millisecond as the one before.
 */
export function isoTime(millis: number): string {
  if (millis !== isoMillis) {
    isoText = new Date(millis).toISOString();
    isoMillis = millis;
  }
  return isoText;
}

/** The current time in ISO 8601 (see isoTime). */
export function isoNow(): string {
  return isoTime(Date.now());
}
