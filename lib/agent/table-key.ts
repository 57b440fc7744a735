import type { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Use of the project key through DynamoDB, for one table only. The one call
 * AWS documents DynamoDB making with the caller's credentials is Decrypt (of
 * the table key, when the table is accessed; data keys come from DynamoDB's
 * own grants), from its own endpoint (`kms:ViaService`), with the table's
 * name in the encryption context (`aws:dynamodb:tableName`). A role holding
 * this statement cannot use the key directly, nor through another table.
 * Whether a write needs more is not documented (assumption
 * dynamodb-decrypt-only, settled by `npm run verify -- --only agent`).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
 */
export function tableKeyStatement(stack: Stack, key: kms.IKey, table: dynamodb.ITable): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'UseTheKeyThroughThisTable',
    actions: ['kms:Decrypt'],
    resources: [key.keyArn],
    conditions: {
      StringEquals: {
        'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com`,
        'kms:EncryptionContext:aws:dynamodb:tableName': table.tableName,
      },
    },
  });
}
