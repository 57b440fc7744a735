/**
 * Jest's environment, set before any test file loads: the AWS SDK's notice
 * that it will stop supporting Node.js 20 is switched off as the commands do
 * (silenceNodeVersionNotice in scripts/cli/aws.ts; not imported here, so that
 * every test file does not load the SDK for it).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
