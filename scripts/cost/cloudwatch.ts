/**
 * What CloudWatch bills an idle app for: dashboards and alarm metrics, read
 * from the templates, and the part of them CloudWatch's always-free
 * allowance covers. The allowance is per account, not per app: another
 * dashboard or alarm in the account uses it up first, so the cost report
 * shows the list price next to the figure with the allowance counted.
 *
 * https://aws.amazon.com/cloudwatch/pricing/, free tier: "3 Dashboards for
 * up to 50 metrics per month" and "10 Alarm metrics (only applicable to
 * Standard resolution alarms that list metrics directly and don't use a
 * Metrics Insights query)". Paid tier: a standard-resolution alarm is billed
 * per alarm metric, and an alarm on a metric math expression for each metric
 * it retrieves.
 */

type Resource = { Type: string; Properties?: Record<string, unknown> };
export type Resources = Record<string, Resource>;

/** CloudWatch's standing charges of one stack. */
export interface CloudWatchUse {
  /** The metrics each dashboard shows (the allowance covers only dashboards of up to 50). */
  readonly dashboardMetrics: readonly number[];
  /** Alarm metrics of standard-resolution alarms that list their metrics (the allowance applies). */
  readonly standardAlarmMetrics: number;
  /** Alarm metrics the allowance never covers (high resolution, Metrics Insights queries). */
  readonly otherAlarmMetrics: number;
}

export const FREE_DASHBOARDS = 3;
export const FREE_DASHBOARD_MAX_METRICS = 50;
export const FREE_ALARM_METRICS = 10;
/** Below this period (seconds) an alarm is high resolution, priced apart and never free. */
const STANDARD_RESOLUTION_SECONDS = 60;

const ofType = (resources: Resources, type: string) => Object.values(resources).filter((r) => r.Type === type);

export function cloudWatchUse(resources: Resources): CloudWatchUse {
  let standardAlarmMetrics = 0;
  let otherAlarmMetrics = 0;
  for (const alarm of ofType(resources, 'AWS::CloudWatch::Alarm')) {
    const props = alarm.Properties ?? {};
    const queries = props.Metrics as { MetricStat?: { Period?: number }; Expression?: string }[] | undefined;
    const stats = queries ? queries.filter((q) => q.MetricStat) : [];
    const count = queries ? stats.length : 1;
    const periods = queries ? stats.map((q) => Number(q.MetricStat?.Period ?? 0)) : [Number(props.Period ?? 0)];
    const insights = (queries ?? []).some((q) => /\bSELECT\b/i.test(q.Expression ?? ''));
    if (insights || periods.some((p) => p < STANDARD_RESOLUTION_SECONDS)) otherAlarmMetrics += count;
    else standardAlarmMetrics += count;
  }
  return {
    dashboardMetrics: ofType(resources, 'AWS::CloudWatch::Dashboard').map((d) => dashboardMetricCount(d)),
    standardAlarmMetrics,
    otherAlarmMetrics,
  };
}

/** Metrics a dashboard body lists (a math expression line is not a metric). */
function dashboardMetricCount(dashboard: Resource): number {
  const body = dashboard.Properties?.DashboardBody as string | { 'Fn::Join': [string, unknown[]] } | undefined;
  if (body === undefined) return 0;
  // References inside the body are strings in JSON; a placeholder keeps it parseable.
  const text =
    typeof body === 'string' ? body : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'REF')).join('');
  const widgets = (JSON.parse(text) as { widgets?: { properties?: { metrics?: unknown[][] } }[] }).widgets ?? [];
  return widgets
    .flatMap((w) => w.properties?.metrics ?? [])
    .filter((line) => !(line.length === 1 && typeof line[0] === 'object')).length;
}

/** The list-price month of these uses. */
export function cloudWatchListMonth(uses: readonly CloudWatchUse[], prices: CloudWatchPrices): number {
  const dashboards = uses.reduce((n, u) => n + u.dashboardMetrics.length, 0);
  const alarmMetrics = uses.reduce((n, u) => n + u.standardAlarmMetrics + u.otherAlarmMetrics, 0);
  return dashboards * prices.cloudWatchDashboardPerMonth + alarmMetrics * prices.cloudWatchAlarmPerMonth;
}

/** What the always-free allowance takes off the list price of these uses, were they alone in the account. */
export function cloudWatchAllowance(uses: readonly CloudWatchUse[], prices: CloudWatchPrices): number {
  const smallDashboards = uses
    .flatMap((u) => u.dashboardMetrics)
    .filter((metrics) => metrics <= FREE_DASHBOARD_MAX_METRICS).length;
  const standard = uses.reduce((n, u) => n + u.standardAlarmMetrics, 0);
  return (
    Math.min(smallDashboards, FREE_DASHBOARDS) * prices.cloudWatchDashboardPerMonth +
    Math.min(standard, FREE_ALARM_METRICS) * prices.cloudWatchAlarmPerMonth
  );
}

export interface CloudWatchPrices {
  readonly cloudWatchDashboardPerMonth: number;
  readonly cloudWatchAlarmPerMonth: number;
}
