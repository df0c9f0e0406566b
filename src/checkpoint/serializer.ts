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
  return JSON.stringify(encode(value, path, new Set()));
}

export function deserialize(text: string): unknown {
  return decode(JSON.parse(text) as Json);
}

function tagged(tag: string, v: Json): Json {
  return { [TAG]: tag, v };
}

function encode(value: unknown, path: string, ancestors: Set<object>): Json {
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
      throw new SerializationError(path, `a ${typeof value}`);
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) throw new SerializationError(path, "a circular reference");
  ancestors.add(object);
  try {
    return encodeObject(object, path, ancestors);
  } finally {
    ancestors.delete(object);
  }
}

function encodeObject(object: object, path: string, ancestors: Set<object>): Json {
  if (Array.isArray(object))
    return object.map((item, index) => encode(item, `${path}[${index}]`, ancestors));
  if (object instanceof Date) return tagged("date", object.getTime());
  if (object instanceof Map) {
    return tagged(
      "map",
      [...object].map(([key, item], index) => [
        encode(key, `${path}.<key ${index}>`, ancestors),
        encode(item, `${path}.get(${String(key)})`, ancestors),
      ]),
    );
  }
  if (object instanceof Set) {
    return tagged(
      "set",
      [...object].map((item, index) => encode(item, `${path}.<item ${index}>`, ancestors)),
    );
  }
  if (object instanceof Uint8Array) return tagged("bytes", Buffer.from(object).toString("base64"));
  if (isBaseMessage(object)) return tagged("msg", encode(storedMessage(object), path, ancestors));
  const prototype = Object.getPrototypeOf(object) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (object as { constructor?: { name?: string } }).constructor?.name ?? "unknown";
    throw new SerializationError(path, `an instance of class ${name}`);
  }
  const result: { [key: string]: Json } = {};
  for (const key of Object.keys(object)) {
    result[key] = encode((object as Record<string, unknown>)[key], `${path}.${key}`, ancestors);
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
