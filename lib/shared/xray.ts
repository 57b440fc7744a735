/**
 * What sends traces to X-Ray calls: segments and telemetry, and the sampling
 * rules and targets it reads first. None of the four has a resource type
 * (Service Authorization Reference for AWS X-Ray), so a statement names "*".
 */
export const XRAY_TRACING_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];
