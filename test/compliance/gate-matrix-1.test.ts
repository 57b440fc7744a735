import { matrixShard, proveTheGate } from '../support/prove-gate';

// Part 1 of 2 of the gate matrix (test/support/gate-matrix.ts); the compliance
// configurations are proven by test/compliance/configurations.test.ts.
proveTheGate(matrixShard(0, 2));
