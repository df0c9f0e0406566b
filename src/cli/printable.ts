import { isBaseMessage } from "@langchain/core/messages";
import { serialize } from "../index.js";

/**
 * What `--json` prints for a value: plain JSON where JSON can say it, and for the rest the
 * checkpoint serializer's tagged form `{ "$sy": tag, "v": ... }` (bigint, date, map, set, bytes,
 * undef, num for NaN/±Infinity/-0, msg), so `deserialize(JSON.stringify(printed))` gives the value
 * back. Object keys whose value is undefined are left out. Documented in docs/cli.md.
 */
export function jsonOf(value: unknown): unknown {
  return withoutUndefinedKeys(JSON.parse(serialize(value)) as unknown);
}

/** Object keys whose value is undefined are left out, as JSON.stringify does. */
function withoutUndefinedKeys(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(withoutUndefinedKeys);
  if (json === null || typeof json !== "object") return json;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(json)) {
    const tag = (item as { $sy?: unknown } | null)?.$sy;
    if (tag !== "undef") result[key] = withoutUndefinedKeys(item);
  }
  return result;
}

/**
 * The human text of a value: JSON layout (two-space indent), with the values JSON cannot hold
 * written as JavaScript shows them: `12n`, `Map { "a" => 1 }`, `Set [ ... ]`, `Date(ISO)`,
 * `Uint8Array(3) [1, 2, 3]`, `undefined`, `NaN`, `Infinity`, `-0`. With `indent` null, on one
 * line, laid out as JSON.stringify lays out JSON values.
 */
export function textOf(value: unknown, indent: string | null = ""): string {
  const inner = indent === null ? null : `${indent}  `;
  switch (typeof value) {
    case "bigint":
      return `${value}n`;
    case "undefined":
      return "undefined";
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "function":
    case "symbol":
      return String(value);
  }
  if (value === null) return "null";
  if (value instanceof Date) return `Date(${value.toISOString()})`;
  if (value instanceof Uint8Array) {
    return `Uint8Array(${value.length}) [${[...value].join(", ")}]`;
  }
  const block = (open: string, close: string, items: string[]): string => {
    if (items.length === 0) return `${open}${close}`;
    if (inner === null) return `${open}${items.join(",")}${close}`;
    return `${open}\n${items.map((item) => inner + item).join(",\n")}\n${indent ?? ""}${close}`;
  };
  if (value instanceof Map) {
    const entries = [...value].map(
      ([key, item]) => `${textOf(key, inner)} => ${textOf(item, inner)}`,
    );
    return block("Map {", "}", entries);
  }
  if (value instanceof Set) {
    return block(
      "Set [",
      "]",
      [...value].map((item) => textOf(item, inner)),
    );
  }
  if (Array.isArray(value))
    return block(
      "[",
      "]",
      value.map((item) => textOf(item, inner)),
    );
  if (isBaseMessage(value)) {
    const { type, data } = value.toDict();
    return `${type} message ${textOf(jsonOf(data), indent)}`;
  }
  const separator = inner === null ? ":" : ": ";
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, item]) => `${JSON.stringify(key)}${separator}${textOf(item, inner)}`,
  );
  return block("{", "}", entries);
}
