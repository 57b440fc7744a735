#!/usr/bin/env node
import * as path from 'node:path';
import { ConfigError, readSettingsFile, SETTINGS_FILE_NAME } from '../lib/config';
import { createProjectApp } from '../lib/project-app';

// The only infrastructure code that reads the environment: the account and region
// of the CLI's credentials. Without credentials the CLI still suggests a default
// region; the stacks then stay environment-agnostic rather than being pinned to
// a region nobody chose.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

try {
  // The user's saved settings (npm run config), under the CLI's context: -c,
  // cdk.json and cdk.context.json still win (lib/config/settings-file.ts).
  const context = readSettingsFile(path.join(__dirname, '..', SETTINGS_FILE_NAME));
  createProjectApp({ env: account && region ? { account, region } : undefined, context });
} catch (error) {
  if (error instanceof ConfigError) {
    // A configuration mistake is the user's to fix: say what, not where in our code.
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
