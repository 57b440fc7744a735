/**
 * Jest's environment, set before any test file loads: the AWS SDK's notice
 * that it will stop supporting Node.js 20 is switched off as the commands do
 * (scripts/cli/aws.ts), so test output shows only what the tests say.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
