/**
 * The S3 client and the one command the function sends (the audit record's
 * PutObject), loaded after the first answer has been sent. See
 * agent-runtime.ts for why this module exists.
 */
export { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
