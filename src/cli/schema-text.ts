type Schema = Record<string, unknown>;

/**
 * A one-line reading of a JSON Schema (what an interrupt's answer must look like), for people:
 * `{ approved: boolean, comment?: string }`, `integer > 0`, `"veg" | "fish"`.
 */
export function schemaText(schema: Schema): string {
  if (Array.isArray(schema.enum)) {
    return schema.enum.map((option) => JSON.stringify(option)).join(" | ");
  }
  if ("const" in schema) return JSON.stringify(schema.const);
  for (const combinator of ["anyOf", "oneOf"] as const) {
    const options = schema[combinator];
    if (Array.isArray(options))
      return options.map((option) => schemaText(option as Schema)).join(" | ");
  }
  const type = schema.type;
  if (Array.isArray(type))
    return type.map((one) => schemaText({ ...schema, type: one })).join(" | ");
  switch (type) {
    case "object":
      return objectText(schema);
    case "array":
      return `${schemaText((schema.items as Schema | undefined) ?? {})}[]`;
    case "integer":
    case "number":
    case "string":
      return `${type}${bounds(schema)}`;
    case "boolean":
    case "null":
      return type;
    default:
      return "any value";
  }
}

function objectText(schema: Schema): string {
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const fields = Object.entries(properties).map(
    ([key, value]) => `${key}${required.has(key) ? "" : "?"}: ${schemaText(value)}`,
  );
  return fields.length === 0 ? "object" : `{ ${fields.join(", ")} }`;
}

/** Bounds worth telling a person; the platform's integer limits are left out. */
function bounds(schema: Schema): string {
  const parts: string[] = [];
  const limit = (key: string, sign: string): void => {
    const value = schema[key];
    if (typeof value === "number" && Math.abs(value) < Number.MAX_SAFE_INTEGER) {
      parts.push(`${sign} ${value}`);
    }
  };
  limit("exclusiveMinimum", ">");
  limit("minimum", ">=");
  limit("exclusiveMaximum", "<");
  limit("maximum", "<=");
  limit("minLength", "length >=");
  limit("maxLength", "length <=");
  if (typeof schema.format === "string") parts.push(`format ${schema.format}`);
  return parts.length === 0 ? "" : ` ${parts.join(", ")}`;
}
