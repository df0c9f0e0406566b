// Module hooks for the `switchyard` command: a graph file is an ES module wherever it lives. Outside
// a package with "type": "module" (a --graphs folder in /tmp, a CommonJS project), Node would treat
// a `.ts` file as CommonJS, and its `import` of Switchyard fails ("Cannot require() ES Module … in
// a cycle"). TypeScript files outside node_modules are therefore loaded as ES modules.
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const url = result.url;
  if (
    url.startsWith("file:") &&
    url.endsWith(".ts") &&
    !url.includes("/node_modules/") &&
    result.format !== "module"
  ) {
    return { ...result, format: "module" };
  }
  return result;
}
