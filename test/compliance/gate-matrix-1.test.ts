import { matrixShard, proveTheGate } from '../support/prove-gate';

// Part 1 of 2 of the gate matrix (test/support/gate-matrix.ts); the compliance
// configurations are proven by test/scripts/compliance.test.ts.
proveTheGate(matrixShard(0, 2));
