/**
 * Jest's environment, set before any test file loads: the AWS SDK's notice
 * that it will stop supporting Node.js 20 is switched off as the commands do
 * (silenceNodeVersionNotice in scripts/cli/aws.ts; not imported here, so that
 * every test file does not load the SDK for it).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The variables through which the CDK CLI hands an app its context and output
// folder, or switches CDK's schema check off: set in a developer's shell, they
// would make the trees the tests build differ from the shared syntheses.
delete process.env.CDK_CONTEXT_JSON;
delete process.env.CDK_OUTDIR;
delete process.env.CDK_VALIDATION;
