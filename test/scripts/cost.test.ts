import { normalizeMarkdown } from '../../scripts/generated-block';
import * as fs from 'node:fs';
import { costLines, costSummary, costTotals, DEPLOYING, fullReport, REPORT } from '../../scripts/cost';
import { README } from '../../scripts/generated-block';
import { cloudWatchAllowance, cloudWatchListMonth, cloudWatchUse, type Resources } from '../../scripts/cost/cloudwatch';

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
    expect(operations?.drivers).toMatch(/1 CloudWatch dashboard, 10 alarms \(\d+ alarm metrics\)/);
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

  // Issue 24: the default idles at $5 or less a month, CloudWatch's always-free allowance counted.
  test('the default idles at $5 a month or less with the CloudWatch allowance counted, and the list price is shown too', () => {
    const base = costTotals(lines).find((t) => t.configuration === 'default');
    expect(base?.idleMonthAllowanceCounted).toBeLessThanOrEqual(5);
    // The allowance covers at most 3 dashboards ($9) and 10 alarm metrics ($1).
    expect((base?.idleMonth ?? 0) - (base?.idleMonthAllowanceCounted ?? 0)).toBeGreaterThan(0);
    expect((base?.idleMonth ?? 0) - (base?.idleMonthAllowanceCounted ?? 0)).toBeLessThanOrEqual(3 * 3 + 10 * 0.1);
    const summary = costSummary(costTotals(lines));
    expect(summary).toContain(`$${base?.idleMonth.toFixed(2)} without it`);
  });

  test('Macie and the unused-access analyzer are off by default; each switch says what it adds back', () => {
    const totals = costTotals(lines);
    const idle = (name: string) => totals.find((t) => t.configuration === name)?.idleMonthAllowanceCounted ?? NaN;
    // 10 buckets at $0.10, plus alarm metrics for its two alert rules.
    expect(idle('macie=create') - idle('default')).toBeGreaterThanOrEqual(1.0);
    // 30 roles and users at $0.20.
    expect(idle('unusedAccessAnalyzer=create') - idle('default')).toBeGreaterThanOrEqual(6.0);
    expect(fullReport(lines)).toMatch(/\| macie=create +\| \$\d+\.\d\d +\| \$\d+\.\d\d +\| \+\$1\.\d\d /);
  });

  describe("CloudWatch's always-free allowance (https://aws.amazon.com/cloudwatch/pricing/)", () => {
    const prices = { cloudWatchDashboardPerMonth: 3, cloudWatchAlarmPerMonth: 0.1 };
    const dashboard = (metrics: number) => ({
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardBody: JSON.stringify({
          widgets: [
            {
              properties: {
                metrics: [
                  ...Array.from({ length: metrics }, (_, i) => ['AWS/Lambda', 'Errors', 'FunctionName', `f${i}`]),
                  [{ expression: 'SUM(METRICS())' }],
                ],
              },
            },
          ],
        }),
      },
    });
    const alarm = (metrics: number, period = 300) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties:
        metrics === 1
          ? { MetricName: 'Errors', Period: period }
          : {
              Metrics: [
                { Id: 'e', Expression: 'm0 + m1', ReturnData: true },
                ...Array.from({ length: metrics }, (_, i) => ({ Id: `m${i}`, MetricStat: { Period: period } })),
              ],
            },
    });
    const resources = (list: { Type: string; Properties: Record<string, unknown> }[]): Resources =>
      Object.fromEntries(list.map((r, i) => [`R${i}`, r]));

    test('an alarm on metric math is billed per metric it retrieves, not per expression', () => {
      const use = cloudWatchUse(resources([alarm(3), alarm(1)]));
      expect(use.standardAlarmMetrics).toBe(4);
      expect(cloudWatchListMonth([use], prices)).toBeCloseTo(0.4);
    });

    test('ten standard alarm metrics and three dashboards of up to 50 metrics are free, across stacks', () => {
      const a = cloudWatchUse(resources([dashboard(36), alarm(6), alarm(1)]));
      const b = cloudWatchUse(resources([alarm(3), alarm(2)]));
      expect(cloudWatchListMonth([a, b], prices)).toBeCloseTo(3 + 1.2);
      expect(cloudWatchAllowance([a, b], prices)).toBeCloseTo(3 + 1.0);
    });

    test('a dashboard of more than 50 metrics and a high-resolution alarm are never free', () => {
      const use = cloudWatchUse(resources([dashboard(51), alarm(2, 10)]));
      expect(use.dashboardMetrics).toEqual([51]);
      expect(use.otherAlarmMetrics).toBe(2);
      expect(cloudWatchAllowance([use], prices)).toBe(0);
      expect(cloudWatchListMonth([use], prices)).toBeCloseTo(3.2);
    });
  });

  test.each([README, DEPLOYING])('the cost summary before the deploy step of %s is current', (file) => {
    const summary = costSummary(costTotals(lines)).replace(/\(docs\//g, file === README ? '(docs/' : '(');
    expect(normalizeMarkdown(fs.readFileSync(file, 'utf8'))).toContain(normalizeMarkdown(summary));
  });

  test('docs/cost.md is what the script produces (run npm run cost)', () => {
    expect(normalizeMarkdown(fs.readFileSync(REPORT, 'utf8'))).toBe(normalizeMarkdown(fullReport(lines)));
  });
});
