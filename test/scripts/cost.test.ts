import { normalizeMarkdown } from '../../scripts/generated-block';
import * as fs from 'node:fs';
import { costLines, costSummary, costTotals, DEPLOYING, fullReport, REPORT } from '../../scripts/cost';
import { README } from '../../scripts/generated-block';

const lines = costLines();
const line = (configuration: string, stack: string) =>
  lines.find((l) => l.configuration === configuration && l.stack === stack);

describe('npm run cost', () => {
  test('idle sandbox: the two KMS keys (project, guardrail) are the standing charges of these stacks', () => {
    expect(line('default', 'GuardedGenAi-DataProtection')?.idleMonth).toBeCloseTo(1.0);
    expect(line('default', 'GuardedGenAi-GuardedInvoke')?.idleMonth).toBeCloseTo(1.0);
  });

  test('isolated network => 3 interface endpoints (Bedrock Runtime, Agent Runtime, X-Ray) in 2 AZs for 730 hours at $0.01', () => {
    expect(line('isolatedNetwork=true', 'GuardedGenAi-GuardedInvoke')?.idleMonth).toBeCloseTo(3 * 2 * 730 * 0.01 + 1);
  });

  test('a request is priced from the guardrail policies and the model in the template', () => {
    const perRequest = line('default', 'GuardedGenAi-GuardedInvoke')?.perRequest ?? 0;
    // 4 text units through content filters, denied topics and PII, plus Nova Micro tokens and small change.
    expect(perRequest).toBeGreaterThan((4 * (0.15 + 0.15 + 0.1)) / 1000);
    expect(perRequest).toBeLessThan(0.01);
  });

  test('operations: one dashboard and the alarms by the metrics they read, standing; invocation logs per request', () => {
    const operations = line('default', 'GuardedGenAi-Operations');
    expect(operations?.idleMonth).toBeGreaterThan(3);
    expect(operations?.drivers).toMatch(/1 CloudWatch dashboard, 11 alarms/);
    expect(operations?.perRequest).toBeGreaterThan(0);
    // Without invocation logging the per-request part goes.
    expect(line('modelInvocationLogging=off', 'GuardedGenAi-Operations')?.perRequest ?? 0).toBe(0);
  });

  test('totals add every stack of a configuration; a question leaves the Ingestion stack out, a document is Ingestion alone', () => {
    const totals = costTotals(lines);
    const base = totals.find((t) => t.configuration === 'default');
    const of = lines.filter((l) => l.configuration === 'default');
    const ingestion = of.find((l) => l.stack.endsWith('-Ingestion'));
    expect(base?.idleMonth).toBeCloseTo(of.reduce((t, l) => t + l.idleMonth, 0));
    expect(base?.perDocument).toBeCloseTo(ingestion?.perRequest ?? NaN);
    expect(base?.perQuestion).toBeCloseTo(of.reduce((t, l) => t + l.perRequest, 0) - (ingestion?.perRequest ?? 0));
    // The isolated network's endpoints are hourly: its idle total is the default's plus their cost.
    const isolated = totals.find((t) => t.configuration === 'isolatedNetwork=true');
    expect((isolated?.idleMonth ?? 0) - (base?.idleMonth ?? 0)).toBeCloseTo(3 * 2 * 730 * 0.01);
  });

  test.each([README, DEPLOYING])('the cost summary before the deploy step of %s is current', (file) => {
    const summary = costSummary(costTotals(lines)).replace(/\(docs\//g, file === README ? '(docs/' : '(');
    expect(normalizeMarkdown(fs.readFileSync(file, 'utf8'))).toContain(normalizeMarkdown(summary));
  });

  test('docs/cost.md is what the script produces (run npm run cost)', () => {
    expect(normalizeMarkdown(fs.readFileSync(REPORT, 'utf8'))).toBe(normalizeMarkdown(fullReport(lines)));
  });
});
