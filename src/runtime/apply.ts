import { END, isSend, type Send } from "../graph/constants.js";
import type { GraphSpec } from "../graph/spec.js";
import type { PlannedTask } from "../checkpoint/types.js";
import { ConcurrentUpdateError } from "../errors.js";
import { currentValue, type TaskOutput } from "./writes.js";

export interface AppliedStep {
  readonly values: Readonly<Record<string, unknown>>;
  /** Per written channel, the updates in application order. */
  readonly updates: ReadonlyMap<string, unknown[]>;
  readonly next: PlannedTask[];
  readonly barriers: Readonly<Record<string, readonly string[]>>;
}

/**
 * Applies a superstep's outputs in task order (see orderPlan),
 * so the result never depends on which task finished first. A last-value key written by two tasks
 * is a CONCURRENT_UPDATE. Then plans the next superstep from every task's routing and the joins.
 */
export function applyStep(
  spec: GraphSpec,
  values: Readonly<Record<string, unknown>>,
  barriers: Readonly<Record<string, readonly string[]>>,
  nodes: readonly string[],
  outputs: readonly TaskOutput[],
  step: number,
): AppliedStep {
  let next = values as Record<string, unknown>;
  let copied = false;
  const writers = new Map<string, string>();
  const updates = new Map<string, unknown[]>();
  for (let index = 0; index < outputs.length; index += 1) {
    const node = nodes[index] as string;
    for (const [key, value] of (outputs[index] as TaskOutput).writes) {
      const channel = spec.channels.get(key);
      if (!channel) continue;
      if (!copied) {
        next = { ...values };
        copied = true;
      }
      if (channel.reduce) {
        next[key] = channel.reduce(currentValue(next, channel), value);
        const list = updates.get(key);
        if (list) list.push(value);
        else updates.set(key, [value]);
      } else {
        const previous = writers.get(key);
        if (previous !== undefined) throw new ConcurrentUpdateError(key, [previous, node], step);
        writers.set(key, node);
        next[key] = value;
        updates.set(key, [value]);
      }
    }
  }
  const planned = planNext(spec, barriers, nodes, outputs);
  return { values: next, updates, next: planned.next, barriers: planned.barriers };
}

function planNext(
  spec: GraphSpec,
  barriers: Readonly<Record<string, readonly string[]>>,
  nodes: readonly string[],
  outputs: readonly TaskOutput[],
): { next: PlannedTask[]; barriers: Readonly<Record<string, readonly string[]>> } {
  const triggered = new Set<string>();
  const sends: Send[] = [];
  for (const output of outputs) {
    for (const target of output.goto) {
      if (isSend(target)) sends.push(target);
      else if (target !== END) triggered.add(target);
    }
  }
  // Joins count each node once per superstep, however many of its tasks (Sends) ran.
  let seen = barriers;
  for (const node of new Set(nodes)) {
    const out = spec.outgoing.get(node);
    if (!out || out.barriers.length === 0) continue;
    if (seen === barriers) seen = { ...barriers };
    for (const barrier of out.barriers) {
      const arrived = new Set(seen[barrier.id] ?? []);
      arrived.add(node);
      if (barrier.sources.every((source) => arrived.has(source))) {
        triggered.add(barrier.target);
        delete (seen as Record<string, readonly string[]>)[barrier.id];
      } else {
        (seen as Record<string, readonly string[]>)[barrier.id] = [...arrived].sort();
      }
    }
  }
  const next: PlannedTask[] = [...triggered].map((node) => ({ node, send: false }));
  for (const send of sends) next.push({ node: send.node, send: true, arg: send.arg });
  return { next: orderPlan(next), barriers: seen };
}

/**
 * The order tasks run in and their writes apply in: edge-triggered tasks by node name, then Send
 * tasks in the order they were sent (as LangGraph.js does). The sort is stable, so Sends keep it.
 */
export function orderPlan(tasks: PlannedTask[]): PlannedTask[] {
  return tasks.sort((a, b) => {
    if (a.send || b.send) return Number(a.send) - Number(b.send);
    return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
  });
}
