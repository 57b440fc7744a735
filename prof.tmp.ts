const t0 = performance.now();
const { buildProjectApp } = require('./tools/build-app');
const { EXAMPLE_ENV } = require('./tools/configurations');
const t1 = performance.now();
console.log(`load ${(t1 - t0).toFixed(0)} ms`);
const gates = (process.env.GATES ?? 'true,true').split(',').map((s) => s === 'true');
const overrides = [{}, { logRetentionDays: 30 }, { alertSeverity: 2 }];
gates.forEach((gate, i) => {
  const a = performance.now();
  const p = buildProjectApp(overrides[i], { gate, env: EXAMPLE_ENV });
  const b = performance.now();
  p.app.synth();
  const c = performance.now();
  console.log(`gate=${gate} construct ${(b - a).toFixed(0)} ms synth ${(c - b).toFixed(0)} ms`);
});
