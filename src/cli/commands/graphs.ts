import { relative } from "node:path";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { listGraphFiles, loadGraph } from "../graphs.js";
import { table } from "../format.js";

/** `switchyard graphs`: the graphs in the graphs folder. */
export async function graphs(ctx: CliContext): Promise<number> {
  const rows: Array<{
    name: string;
    file: string;
    nodes: readonly string[];
    description?: string;
    error?: string;
  }> = [];
  for (const file of listGraphFiles(ctx.graphsDir)) {
    try {
      const loaded = await loadGraph(file);
      const compiled = loaded.compile({});
      rows.push({
        name: loaded.name,
        file: file.file,
        nodes: compiled.nodeNames,
        description: loaded.description,
      });
    } catch (error) {
      rows.push({
        name: file.name,
        file: file.file,
        nodes: [],
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  ctx.print(rows, () =>
    table(
      ["graph", "file", "nodes", "description"],
      rows.map((row) => [
        row.name,
        relative(process.cwd(), row.file),
        row.error ? "-" : row.nodes.join(", "),
        row.error ? `cannot load: ${row.error}` : (row.description ?? ""),
      ]),
    ),
  );
  return rows.some((row) => row.error) ? 1 : 0;
}

/** `switchyard draw <graph>`: Mermaid text of the graph. */
export async function draw(
  ctx: CliContext,
  name: string,
  options: { out?: string },
): Promise<number> {
  if (options.out !== undefined) {
    throw new CliError(
      "INVALID_ARGUMENT",
      "draw --out is not supported: no renderer is installed. Pipe the Mermaid text to one.",
      2,
    );
  }
  const compiled = (await ctx.graphFile(name)).compile({});
  const text = compiled.drawMermaid();
  ctx.print({ graph: name, mermaid: text }, () => text.trimEnd());
  return 0;
}
