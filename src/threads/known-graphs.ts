import type { GraphIdentity } from "../checkpoint/types.js";
import type { GraphSpec } from "../graph/spec.js";

/**
 * The graphs compiled in this process, by name and structural version. A child invoked from inside
 * a node (`sub.invoke(input, ctx.runnableConfig)`) is not part of its parent's structure; its
 * namespace is bound to the child's identity when it first checkpoints, and this is where a
 * snapshot finds the structure to read those checkpoints with. Held weakly: a compiled graph
 * nobody references any more is forgotten.
 */
const known = new Map<string, WeakRef<GraphSpec>>();
const forgotten = new FinalizationRegistry<string>((key) => {
  if (known.get(key)?.deref() === undefined) known.delete(key);
});

/** Records a compiled graph's structure under its identity. */
export function rememberGraph(spec: GraphSpec): void {
  const key = keyOf(spec);
  known.set(key, new WeakRef(spec));
  forgotten.register(spec, key);
}

/** The structure of a graph compiled in this process with this identity, if any. */
export function knownGraph(identity: GraphIdentity): GraphSpec | undefined {
  return known.get(keyOf(identity))?.deref();
}

function keyOf(identity: GraphIdentity): string {
  return `${identity.name}\u0000${identity.version}`;
}
