import {
  isBaseMessage,
  mapStoredMessageToChatMessage,
  RemoveMessage,
  type BaseMessage,
  type StoredMessage,
} from "@langchain/core/messages";
import { SerializationError } from "../errors.js";

/**
 * Tagged JSON that round-trips what JSON alone loses: `undefined`, `Date`, `Map`, `Set`,
 * `Uint8Array`, `BigInt`, non-finite numbers and `@langchain/core` messages. A tagged value is an
 * object whose only keys are `$sy` (the tag) and `v`; a plain object that happens to have a `$sy`
 * key is escaped, so no user data is ever mistaken for a tag.
 */
const TAG = "$sy";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function serialize(value: unknown, path = "value"): string {
  // Most state is plain JSON already: then JSON.stringify gives what encoding would, unchanged.
  if (isPlainJson(value, 0)) return JSON.stringify(value);
  let json: Json;
  try {
    json = encode(value, undefined, undefined, 0);
  } catch (error) {
    if (error !== CAREFUL) throw error;
    json = encode(value, path, new Set(), 0);
  }
  return JSON.stringify(json);
}

export function deserialize(text: string): unknown {
  return decode(JSON.parse(text) as Json);
}

/**
 * Values are encoded in a fast pass first, which builds no paths and keeps no set of ancestors:
 * where it would refuse a value, or nests deeper than FAST_DEPTH (a cycle, or very deep data), it
 * throws CAREFUL and `serialize` encodes again, carefully, to refuse with the path or to encode
 * the deep value. Both passes are the same code (`path` and `ancestors` undefined in the first).
 */
const CAREFUL = new Error("serializer: retry carefully");
const FAST_DEPTH = 200;

/**
 * True when JSON.stringify keeps `value` exactly and no tag is needed: strings, booleans, null,
 * finite numbers other than -0, and arrays and plain objects (no `$sy` key) of those, at most
 * FAST_DEPTH deep. An undefined item or property, which JSON drops, makes it false.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= FAST_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      if (!isPlainJson(value[index], depth + 1)) return false;
    }
    return true;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  if (TAG in value) return false;
  for (const key of Object.keys(value)) {
    if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function refuse(path: string | undefined, what: string): never {
  if (path === undefined) throw CAREFUL;
  throw new SerializationError(path, what);
}

function tagged(tag: string, v: Json): Json {
  return { [TAG]: tag, v };
}

function encode(
  value: unknown,
  path: string | undefined,
  ancestors: Set<object> | undefined,
  depth: number,
): Json {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Object.is(value, -0)) return tagged("num", "-0");
      return Number.isFinite(value) ? value : tagged("num", String(value));
    case "undefined":
      return tagged("undef", null);
    case "bigint":
      return tagged("bigint", value.toString());
    case "function":
    case "symbol":
      return refuse(path, `a ${typeof value}`);
  }
  if (value === null) return null;
  const object = value as object;
  if (!ancestors) {
    if (depth >= FAST_DEPTH) throw CAREFUL;
    return encodeObject(object, undefined, undefined, depth + 1);
  }
  if (ancestors.has(object)) return refuse(path, "a circular reference");
  ancestors.add(object);
  try {
    return encodeObject(object, path, ancestors, depth + 1);
  } finally {
    ancestors.delete(object);
  }
}

function encodeObject(
  object: object,
  path: string | undefined,
  ancestors: Set<object> | undefined,
  depth: number,
): Json {
  if (Array.isArray(object)) {
    return object.map((item, index) =>
      encode(item, path === undefined ? path : `${path}[${index}]`, ancestors, depth),
    );
  }
  if (object instanceof Date) return tagged("date", object.getTime());
  if (object instanceof Map) {
    return tagged(
      "map",
      [...object].map(([key, item], index) => [
        encode(key, path === undefined ? path : `${path}.<key ${index}>`, ancestors, depth),
        encode(item, path === undefined ? path : `${path}.get(${String(key)})`, ancestors, depth),
      ]),
    );
  }
  if (object instanceof Set) {
    return tagged(
      "set",
      [...object].map((item, index) =>
        encode(item, path === undefined ? path : `${path}.<item ${index}>`, ancestors, depth),
      ),
    );
  }
  if (object instanceof Uint8Array) return tagged("bytes", Buffer.from(object).toString("base64"));
  if (isBaseMessage(object)) {
    return tagged("msg", encode(storedMessage(object), path, ancestors, depth));
  }
  const prototype = Object.getPrototypeOf(object) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (object as { constructor?: { name?: string } }).constructor?.name ?? "unknown";
    return refuse(path, `an instance of class ${name}`);
  }
  const result: { [key: string]: Json } = {};
  for (const key of Object.keys(object)) {
    const item = (object as Record<string, unknown>)[key];
    result[key] = encode(item, path === undefined ? path : `${path}.${key}`, ancestors, depth);
  }
  return TAG in result ? tagged("obj", result) : result;
}

function decode(json: Json): unknown {
  if (json === null || typeof json !== "object") return json;
  if (Array.isArray(json)) return json.map(decode);
  const tag = json[TAG];
  if (typeof tag !== "string") {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(json)) result[key] = decode(json[key] as Json);
    return result;
  }
  const v = json.v as Json;
  switch (tag) {
    case "undef":
      return undefined;
    case "num":
      return Number(v);
    case "bigint":
      return BigInt(v as string);
    case "date":
      return new Date(v as number);
    case "map":
      return new Map(
        (v as Json[][]).map(([key, item]) => [decode(key as Json), decode(item as Json)]),
      );
    case "set":
      return new Set((v as Json[]).map(decode));
    case "bytes":
      return new Uint8Array(Buffer.from(v as string, "base64"));
    case "msg": {
      const stored = decode(v) as StoredMessage;
      // @langchain/core cannot map a stored RemoveMessage back; it only needs its id.
      if (stored.type === "remove") return new RemoveMessage({ id: stored.data.id as string });
      return mapStoredMessageToChatMessage(stored);
    }
    case "obj": {
      const result: Record<string, unknown> = {};
      for (const key of Object.keys(v as object))
        result[key] = decode((v as Record<string, Json>)[key] as Json);
      return result;
    }
    default:
      throw new SerializationError(
        "stored value",
        `an unknown tag "${tag}" (written by a newer Switchyard?)`,
      );
  }
}

/** Fields a message may carry that `toDict()` reads from its constructor arguments, not the instance. */
const MESSAGE_FIELDS = [
  "id",
  "name",
  "content",
  "additional_kwargs",
  "response_metadata",
  "tool_calls",
  "invalid_tool_calls",
  "usage_metadata",
  "tool_call_id",
  "status",
  "artifact",
] as const;

/** `toDict()`, with the instance's current field values (an id assigned after construction included). */
function storedMessage(message: BaseMessage): StoredMessage {
  const stored = message.toDict();
  const data: Record<string, unknown> = { ...stored.data };
  for (const field of MESSAGE_FIELDS) {
    const value = (message as unknown as Record<string, unknown>)[field];
    if (value !== undefined) data[field] = value;
  }
  return { type: stored.type, data: data as unknown as StoredMessage["data"] };
}
