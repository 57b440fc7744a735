// The folder's tests as one jest file: its parts share one load of aws-cdk-lib
// and of the app's construct trees instead of paying for them each
// (docs/testing.md, "One file per folder"). Each part reads as a test file of its own.
import './customization-stack.spec';
import './isolated-network.spec';
import './least-privilege.spec';
import './operator-policy.spec';
import './approval.spec';
import './approved-synthesis.spec';
