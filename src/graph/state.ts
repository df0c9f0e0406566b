import { z } from "zod";
import { InvalidSchemaError } from "../errors.js";

declare const updateBrand: unique symbol;

/**
 * A zod schema for a reducer key. At the type level it also carries the type an update to the key
 * may have (which can differ from the value's type, e.g. one item appended to a list).
 */
export type ReducedSchema<Value extends z.ZodType, Update> = Value & {
  readonly [updateBrand]: Update;
};

/** The type a node may write to a key: the reducer's update type, or the key's own type. */
export type UpdateValue<Schema> = Schema extends { readonly [updateBrand]: infer Update }
  ? Update
  : Schema extends z.ZodType
    ? z.output<Schema>
    : never;

/** The state a node receives: the schema's output type. */
export type StateOf<Schema extends z.ZodObject> = z.output<Schema>;

/** What a node may return as an update: any subset of keys, each in its update type. */
export type UpdateOf<Schema extends z.ZodObject> = {
  [Key in keyof Schema["shape"]]?: UpdateValue<Schema["shape"][Key]>;
};

interface ReducerDeclaration {
  reduce: (current: unknown, update: unknown) => unknown;
  initial: () => unknown;
  update: z.ZodType;
  /** Set by `append`: the items an update adds at the end of the list. */
  appends?: (update: unknown) => readonly unknown[];
}

const declarations = new WeakMap<z.ZodType, ReducerDeclaration>();

/**
 * Declares a state key that folds writes instead of keeping the last one.
 * `reduce` must be pure and deterministic: checkpointers may store only the updates and replay them.
 * Updates are validated against `options.update` when given, otherwise against `valueSchema`; the
 * schema's output is what is folded and stored, so normalise there (ids, defaults), not in `reduce`.
 *
 * @example
 * const State = z.object({
 *   total: reducer(z.number(), (current, add: number) => current + add, () => 0),
 * });
 */
export function reducer<Value extends z.ZodType, Update = z.output<Value>>(
  valueSchema: Value,
  reduce: (current: z.output<Value>, update: Update) => z.output<Value>,
  initial: () => z.output<Value>,
  options: { update?: z.ZodType<Update> } = {},
): ReducedSchema<Value, Update> {
  if (!(valueSchema instanceof z.ZodType)) {
    throw new InvalidSchemaError(
      "reducer(valueSchema, reduce, initial): valueSchema must be a zod schema.",
    );
  }
  if (typeof reduce !== "function" || typeof initial !== "function") {
    throw new InvalidSchemaError(
      "reducer(valueSchema, reduce, initial): reduce and initial must be functions, e.g. reducer(z.number(), (a, b) => a + b, () => 0).",
    );
  }
  const schema = valueSchema.clone();
  declarations.set(schema, {
    reduce: reduce as ReducerDeclaration["reduce"],
    initial,
    update: options.update ?? valueSchema,
  });
  return schema as ReducedSchema<Value, Update>;
}

/**
 * A list key that appends: a node may write one item or an array of items.
 *
 * @example
 * const State = z.object({ log: append(z.string()) });
 * // a node returns { log: "done" } or { log: ["a", "b"] }
 */
export function append<Item extends z.ZodType>(
  itemSchema: Item,
): ReducedSchema<z.ZodArray<Item>, z.output<Item> | Array<z.output<Item>>> {
  const schema = reducer(
    z.array(itemSchema),
    (current: Array<z.output<Item>>, update: z.output<Item> | Array<z.output<Item>>) =>
      current.concat(Array.isArray(update) ? update : [update]),
    () => [],
    { update: z.union([z.array(itemSchema), itemSchema]) },
  );
  (declarations.get(schema) as ReducerDeclaration).appends = appendedBy;
  return schema;
}

function appendedBy(update: unknown): readonly unknown[] {
  return Array.isArray(update) ? update : [update];
}

/** How the runtime treats one state key. */
export interface ChannelSpec {
  readonly key: string;
  /** Validates one write to the key; its output is what gets applied. */
  readonly updateSchema: z.ZodType;
  /** Present for reducer keys. */
  readonly reduce: ((current: unknown, update: unknown) => unknown) | undefined;
  /** The value the key has before any write, if it has one (reducer initial or zod default). */
  readonly initial: (() => unknown) | undefined;
  /**
   * For an `append` key: the items an update adds at the end of the list, so the commit knows
   * what a step appended without comparing the list's old items.
   */
  readonly appends?: (update: unknown) => readonly unknown[];
}

export function channelsOf(schema: z.ZodObject): Map<string, ChannelSpec> {
  if (!(schema instanceof z.ZodObject)) {
    throw new InvalidSchemaError(
      "new StateGraph(schema): schema must be a zod object, e.g. new StateGraph(z.object({ count: z.number() })).",
    );
  }
  const channels = new Map<string, ChannelSpec>();
  const shape: Record<string, z.ZodType> = schema.shape;
  for (const [key, fieldSchema] of Object.entries(shape)) {
    const declared = declarations.get(fieldSchema);
    if (declared) {
      channels.set(key, {
        key,
        updateSchema: declared.update,
        reduce: declared.reduce,
        initial: declared.initial,
        ...(declared.appends ? { appends: declared.appends } : {}),
      });
      continue;
    }
    const fromDefault = fieldSchema.safeParse(undefined);
    const hasDefault = fromDefault.success && fromDefault.data !== undefined;
    channels.set(key, {
      key,
      updateSchema: fieldSchema,
      reduce: undefined,
      initial: hasDefault ? () => fieldSchema.parse(undefined) : undefined,
    });
  }
  return channels;
}
