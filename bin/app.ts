#!/usr/bin/env node
import { ConfigError } from '../lib/config';
import { createProjectApp } from '../lib/project-app';

// The only infrastructure code that reads the environment: the account and region
// of the CLI's credentials. Without credentials the CLI still suggests a default
// region; the stacks then stay environment-agnostic rather than being pinned to
// a region nobody chose.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

try {
  createProjectApp({ env: account && region ? { account, region } : undefined });
} catch (error) {
  if (error instanceof ConfigError) {
    // A configuration mistake is the user's to fix: say what, not where in our code.
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
