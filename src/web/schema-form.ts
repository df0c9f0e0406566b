import { html, type SafeHtml } from "./html.js";
import { labelOf, scalarText } from "./format.js";

/** The part of JSON Schema (as zod's `toJSONSchema` writes it) that forms are built from. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly title?: string;
  readonly description?: string;
  readonly anyOf?: readonly JsonSchema[];
  readonly items?: JsonSchema;
}

/** Form values as the browser posts them: one string per field name. */
export type FormValues = Readonly<Record<string, string | undefined>>;

/** Field names are "f." plus the value's path, so nested objects round-trip. */
const FIELD = "f.";

/** `approval()`'s answer: `{ approved: boolean, comment?: string }`, shown as two buttons. */
export function isApproval(schema: JsonSchema | undefined): boolean {
  const properties = schema?.properties;
  if (!properties || properties.approved?.type !== "boolean") return false;
  return Object.keys(properties).every((key) => key === "approved" || key === "comment");
}

/**
 * The fields for a value of `schema`: inputs for text and numbers, selects for enums and booleans,
 * fieldsets for objects, a JSON box for anything else. `formId` keeps label ids unique per page.
 * Constraints are left to the engine, which answers with the schema's own message.
 */
export function schemaFields(schema: JsonSchema, formId: string): SafeHtml {
  return fieldsOf(unwrap(schema), [], true, formId);
}

function fieldsOf(schema: JsonSchema, path: string[], required: boolean, formId: string): SafeHtml {
  const name = FIELD + path.join(".");
  const id = `${formId}-${path.join("-") || "value"}`;
  const label = schema.title ?? labelOf(path.at(-1) ?? "value");
  const hint = schema.description ? html`<small>${schema.description}</small>` : "";
  const optional = required ? "" : html` <span class="muted">(optional)</span>`;
  const type = typeOf(schema);
  if (type === "object" && schema.properties) {
    const needed = new Set(schema.required ?? []);
    const inner = Object.entries(schema.properties).map(([key, child]) =>
      fieldsOf(unwrap(child), [...path, key], needed.has(key), formId),
    );
    if (path.length === 0) return html`${inner}`;
    return html`<fieldset>
      <legend>${label}${optional}</legend>
      ${hint}${inner}
    </fieldset>`;
  }
  const initial = schema.default === undefined ? "" : schema.default;
  if (schema.enum || type === "boolean") {
    const options = schema.enum ?? [true, false];
    return html`<label for="${id}">${label}${optional}</label>${hint}
      <select id="${id}" name="${name}">
        ${required && schema.default !== undefined ? "" : html`<option value="">—</option>`}
        ${options.map(
          (option) =>
            html`<option value="${JSON.stringify(option)}" ${option === initial ? "selected" : ""}>
              ${typeof option === "boolean" ? (option ? "yes" : "no") : String(option as string)}
            </option>`,
        )}
      </select>`;
  }
  if (type === "string" || type === "number" || type === "integer") {
    const long = type === "string" && /comment|description|reason|note/i.test(path.at(-1) ?? "");
    const input = long
      ? html`<textarea id="${id}" name="${name}" rows="3">${scalarText(initial)}</textarea>`
      : html`<input
          id="${id}"
          name="${name}"
          value="${scalarText(initial)}"
          ${type === "string" ? "" : html`inputmode="decimal"`}
        />`;
    return html`<label for="${id}">${label}${optional}</label>${hint}${input}`;
  }
  const shown = schema.default === undefined ? "" : JSON.stringify(schema.default);
  return html`<label for="${id}">${label} (JSON)${optional}</label>${hint}
    <textarea id="${id}" name="${name}" rows="3" class="code">${shown}</textarea>`;
}

/**
 * The value the fields of `schema` describe, from the posted form. Empty optional fields are
 * left out; text that is not a number where one is expected is passed on as text, so the engine
 * refuses it with the schema's message instead of the console guessing.
 */
export function valueFromForm(schema: JsonSchema, form: FormValues): unknown {
  return valueOf(unwrap(schema), [], form);
}

function valueOf(schema: JsonSchema, path: string[], form: FormValues): unknown {
  const type = typeOf(schema);
  if (type === "object" && schema.properties) {
    const value: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(schema.properties)) {
      const item = valueOf(unwrap(child), [...path, key], form);
      if (item !== undefined) value[key] = item;
    }
    return path.length > 0 && Object.keys(value).length === 0 ? undefined : value;
  }
  const raw = form[FIELD + path.join(".")];
  if (raw === undefined || raw.trim() === "") return undefined;
  if (schema.enum || type === "boolean") return parseJson(raw);
  if (type === "string") return raw;
  if (type === "number" || type === "integer") {
    const number = Number(raw.trim());
    return Number.isFinite(number) ? number : raw;
  }
  return parseJson(raw);
}

/** JSON when it parses; the text itself otherwise (the engine says what it expected). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return (schema.type as string[]).find((t) => t !== "null");
  if (typeof schema.type === "string") return schema.type;
  if (schema.properties) return "object";
  return undefined;
}

/** `x | null` and single-branch unions read as `x`. */
function unwrap(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf?.filter((branch) => branch.type !== "null");
  if (branches?.length === 1 && branches[0]) return { ...branches[0], ...withoutAnyOf(schema) };
  return schema;
}

function withoutAnyOf(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete (rest as { anyOf?: unknown }).anyOf;
  return rest;
}
