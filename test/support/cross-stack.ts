/**
 * What the app chose for its cross-stack references (docs/deployment-order.md),
 * checked on the templates of one configuration: strong references only
 * (CloudFormation exports), consumers importing only what the data-protection
 * stack exports, and the key and bucket exported whether or not a consumer
 * uses them today.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every intrinsic of `kind` in a template, with its argument. */
function intrinsics(template: Json, kind: string): Json[] {
  if (Array.isArray(template)) return template.flatMap((v) => intrinsics(v, kind));
  if (template === null || typeof template !== 'object') return [];
  return Object.entries(template).flatMap(([k, v]) => (k === kind ? [v, ...intrinsics(v, kind)] : intrinsics(v, kind)));
}

/** Everything wrong with the references between `templates` (by stack name), `producer` being the base stack. */
export function crossStackProblems(templates: Record<string, unknown>, producer: string): string[] {
  const problems: string[] = [];
  const outputs =
    (templates[producer] as { Outputs?: Record<string, { Value: Json; Export?: { Name: string } }> }).Outputs ?? {};
  const exported = Object.values(outputs).filter((o) => o.Export);
  const exportNames = new Set(exported.map((o) => o.Export?.Name));
  for (const [stack, template] of Object.entries(templates)) {
    for (const weak of intrinsics(template as Json, 'Fn::GetStackOutput')) {
      problems.push(`${stack}: weak reference ${JSON.stringify(weak)} (a producer change would not reach it)`);
    }
    const imports = intrinsics(template as Json, 'Fn::ImportValue');
    if (stack === producer) {
      if (imports.length > 0) problems.push(`${stack}: the base stack imports ${JSON.stringify(imports)}`);
    } else {
      if (imports.length === 0) problems.push(`${stack}: imports nothing from ${producer}`);
      for (const name of imports.filter((n) => !exportNames.has(n as string))) {
        problems.push(`${stack}: imports ${JSON.stringify(name)}, which ${producer} does not export`);
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
