/**
 * What the app chose for its cross-stack references (docs/deployment-order.md),
 * checked on the templates of one configuration: strong references only
 * (CloudFormation exports), every import exported by one of the app's stacks,
 * every other stack built on the app's stacks (the data-protection stack
 * directly or through another), and the key and bucket exported whether or
 * not a consumer uses them today.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every intrinsic of `kind` in a template, with its argument. */
function intrinsics(template: Json, kind: string): Json[] {
  if (Array.isArray(template)) return template.flatMap((v) => intrinsics(v, kind));
  if (template === null || typeof template !== 'object') return [];
  return Object.entries(template).flatMap(([k, v]) => (k === kind ? [v, ...intrinsics(v, kind)] : intrinsics(v, kind)));
}

/**
 * Everything wrong with the references between `templates` (by stack name),
 * `producer` being the base stack. `declared` lists, by stack name, the app's
 * stacks a stack declares it is deployed after (the assembly's dependencies):
 * one that imports nothing is still built on them.
 */
export function crossStackProblems(
  templates: Record<string, unknown>,
  producer: string,
  declared: Readonly<Record<string, readonly string[]>> = {},
): string[] {
  const problems: string[] = [];
  type Outputs = Record<string, { Value: Json; Export?: { Name: string } }>;
  const exportsOf = (stack: string) =>
    Object.values((templates[stack] as { Outputs?: Outputs }).Outputs ?? {}).filter((o) => o.Export);
  const exported = exportsOf(producer);
  // Exports of every stack, by name: stacks built on others (the knowledge
  // base, the guardrail, the alert topic) export too.
  const exportNames = new Map(
    Object.keys(templates).flatMap((stack) => exportsOf(stack).map((o) => [o.Export?.Name, stack] as const)),
  );
  for (const [stack, template] of Object.entries(templates)) {
    for (const weak of intrinsics(template as Json, 'Fn::GetStackOutput')) {
      problems.push(`${stack}: weak reference ${JSON.stringify(weak)} (a producer change would not reach it)`);
    }
    const imports = intrinsics(template as Json, 'Fn::ImportValue');
    if (stack === producer) {
      if (imports.length > 0) problems.push(`${stack}: the base stack imports ${JSON.stringify(imports)}`);
    } else {
      // Built on the base stack directly, or through another stack of the app.
      const builtOn = (declared[stack] ?? []).filter((name) => name in templates);
      if (imports.length === 0 && builtOn.length === 0) {
        problems.push(`${stack}: imports nothing from the app's stacks`);
      }
      for (const name of imports.filter((n) => !exportNames.has(n as string))) {
        problems.push(`${stack}: imports ${JSON.stringify(name)}, which no stack of the app exports`);
      }
      for (const name of imports.filter((n) => exportNames.get(n as string) === stack)) {
        problems.push(`${stack}: imports its own export ${JSON.stringify(name)}`);
      }
    }
  }
  const values = exported.map((o) => JSON.stringify(o.Value)).join('\n');
  for (const [what, pattern] of [
    ['the key ARN', /"Fn::GetAtt":\["ProjectKey[0-9A-F]+","Arn"\]/],
    ['the bucket name', /"Ref":"DataBucket[0-9A-F]+"/],
    ['the bucket ARN', /"Fn::GetAtt":\["DataBucket[0-9A-F]+","Arn"\]/],
  ] as const) {
    if (!pattern.test(values)) problems.push(`${producer} does not export ${what}, so a switch could strand an import`);
  }
  return problems;
}
