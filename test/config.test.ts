import { assertFitsRegion, ConfigError, parseConfig, SETTINGS } from '../lib/config';
import { buildApp, CDK_JSON_CONTEXT } from './support/build-app';
import { problemsOf } from './support/config-problems';

describe('parseConfig', () => {
  test('no settings => secure defaults (retain, no object lock)', () => {
    expect(parseConfig({})).toEqual({
      appName: 'GuardedGenAi',
      binaryDocuments: 'refuse',
      removalPolicy: 'retain',
      recordsRetentionDays: 90,
      noncurrentVersionRetentionDays: 30,
      accessLogRetentionDays: 365,
      objectLock: false,
      objectLockRetentionDays: 30,
      modelId: 'amazon.nova-micro-v1:0',
      guardrailFilterStrength: 'HIGH',
      groundingThreshold: 0.75,
      relevanceThreshold: 0.75,
      maxTokensCap: 1024,
      invokeReservedConcurrency: 0,
      inCodeSpans: false,
      logRetentionDays: 365,
      auditRecords: true,
      availabilityZones: [],
      isolatedNetwork: false,
      knowledgeBase: true,
      agent: false,
      modelCustomization: false,
      customModelApproval: '',
      embeddingModelId: 'amazon.titan-embed-text-v2:0',
      embeddingDimensions: 1024,
      chunkingStrategy: 'fixed-size',
      chunkMaxTokens: 300,
      chunkOverlapPercent: 20,
      retrievalResultsCap: 5,
      modelInvocationLogging: 'create',
      dailyTokenBudget: 1_000_000,
      enforcedGuardrail: 'off',
      modelRiskRating: 'Medium',
      modelCardStatus: 'Draft',
      modelCardReviewedDigest: '',
      guardDuty: 'create',
      guardDutyDetectorId: '',
      guardDutyFeatures: [
        'S3_DATA_EVENTS',
        'LAMBDA_NETWORK_LOGS',
        'EBS_MALWARE_PROTECTION',
        'RDS_LOGIN_EVENTS',
        'EKS_AUDIT_LOGS',
        'RUNTIME_MONITORING',
      ],
      guardDutyFindingsExport: false,
      malwareProtection: true,
      macie: 'off',
      accessAnalyzer: 'create',
      unusedAccessAnalyzer: 'off',
      unusedAccessAgeDays: 90,
      cloudTrail: true,
      securityHub: 'off',
      configRecorder: 'off',
      alertSeverity: 7,
      alertEmail: '',
    });
  });

  test('-c strings are read as numbers and booleans', () => {
    const config = parseConfig({ recordsRetentionDays: '7', objectLock: 'true', groundingThreshold: '0.5' });
    expect(config.recordsRetentionDays).toBe(7);
    expect(config.objectLock).toBe(true);
    expect(config.groundingThreshold).toBe(0.5);
  });

  test.each(['amazon.nova-micro-v1:0', 'us.anthropic.claude-3-5-haiku-20241022-v1:0', 'global.amazon.nova-lite-v1:0'])(
    'model id %s is accepted',
    (modelId) => {
      expect(parseConfig({ modelId }).modelId).toBe(modelId);
    },
  );

  test('CDK feature flags and CLI keys are not ours and are ignored', () => {
    expect(() =>
      parseConfig({
        '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
        'aws:cdk:version-reporting': false,
        'availability-zones:account=111111111111:region=eu-west-1': ['a'],
      }),
    ).not.toThrow();
  });

  test('an unknown key fails and names the key, its value, the nearest known key and all of them', () => {
    expect(problemsOf({ modelid: 'x' })).toEqual([
      expect.stringMatching(/unknown key "modelid" \(value "x"\), did you mean "modelId"\?; known keys: appName, /),
    ]);
    expect(problemsOf({ alertemial: 'a@b.c' })).toEqual([expect.stringContaining('did you mean "alertEmail"?')]);
    // Nothing near: no guess.
    expect(problemsOf({ colour: 'blue' })).toEqual([
      expect.stringMatching(/unknown key "colour" \(value "blue"\); known keys/),
    ]);
  });

  test.each([
    ['removalPolicy', 'Destroy', '"retain" or "destroy"'],
    ['recordsRetentionDays', 0, 'a whole number of days from 1 to 3650'],
    ['recordsRetentionDays', '1.5', 'a whole number of days from 1 to 3650'],
    ['accessLogRetentionDays', 5000, 'a whole number of days from 1 to 3650'],
    ['objectLock', 'yes', 'true or false'],
    ['appName', 'my app', 'PascalCase'],
    ['modelId', 'gpt-4', 'a Bedrock foundation-model id'],
    ['modelId', 'xx.amazon.nova-micro-v1:0', 'inference profile id'],
    ['guardrailFilterStrength', 'NONE', '"LOW", "MEDIUM" or "HIGH"'],
    ['groundingThreshold', 1, 'a number from 0 to 0.99'],
    ['logRetentionDays', 100, 'one of the CloudWatch Logs retention periods'],
    ['maxTokensCap', 0, 'a whole number from 1 to 8192'],
    ['invokeReservedConcurrency', -1, 'a whole number from 0 (no reservation) to 1000'],
    ['availabilityZones', ['eu-west-1a'], 'two distinct Availability Zone names'],
    ['availabilityZones', 'eu-west-1a,eu-west-1a', 'two distinct Availability Zone names'],
    ['configRecorder', 'on', '"create", "existing" or "off"'],
  ])('%s = %j is refused with what is allowed', (key, value, allowed) => {
    const [problem] = problemsOf({ [key]: value });
    expect(problem).toContain(`${key}: got ${JSON.stringify(value)}, allowed: `);
    expect(problem).toContain(allowed);
  });

  test('every bad key is named in one message, not only the first', () => {
    const problems = problemsOf({ typo: 1, removalPolicy: 'keep', objectLockRetentionDays: -1 });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/typo[\s\S]*removalPolicy[\s\S]*objectLockRetentionDays/);
  });

  test('object lock with removalPolicy destroy is refused: locked versions cannot be destroyed', () => {
    expect(problemsOf({ objectLock: true, removalPolicy: 'destroy' })).toEqual([
      expect.stringContaining('objectLock: got true with removalPolicy "destroy"'),
    ]);
  });

  test('Security Hub without a configuration recorder is refused: its controls would never evaluate', () => {
    expect(problemsOf({ securityHub: 'create' })).toEqual([
      expect.stringContaining('configRecorder: got "off" with securityHub "create"'),
    ]);
    expect(parseConfig({ securityHub: 'create', configRecorder: 'existing' }).configRecorder).toBe('existing');
  });

  test('availability zones are accepted for the isolated network only', () => {
    expect(
      parseConfig({ isolatedNetwork: true, availabilityZones: 'eu-west-1b, eu-west-1c' }).availabilityZones,
    ).toEqual(['eu-west-1b', 'eu-west-1c']);
    expect(problemsOf({ availabilityZones: ['eu-west-1b', 'eu-west-1c'] })).toEqual([
      expect.stringContaining('availabilityZones: got ["eu-west-1b","eu-west-1c"] with isolatedNetwork false'),
    ]);
  });

  test('every setting documents what it changes and what it allows', () => {
    for (const [name, setting] of Object.entries(SETTINGS)) {
      expect({ name, description: setting.description.length > 20, allowed: setting.allowed.length > 3 }).toEqual({
        name,
        description: true,
        allowed: true,
      });
    }
  });
});

describe('settings that depend on the region, once it is known', () => {
  const regionProblems = (context: Record<string, unknown>, region: string): readonly string[] => {
    try {
      assertFitsRegion(parseConfig(context), region);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  test.each([
    ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 'us-east-1'],
    ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 'us-west-2'],
    ['eu.amazon.nova-micro-v1:0', 'eu-central-1'],
    ['apac.amazon.nova-micro-v1:0', 'ap-northeast-1'],
    ['global.amazon.nova-lite-v1:0', 'eu-west-1'],
    ['amazon.nova-micro-v1:0', 'eu-west-1'],
  ])('%s can be called from %s', (modelId, region) => {
    expect(regionProblems({ modelId }, region)).toEqual([]);
  });

  test.each([
    ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 'eu-west-1'],
    ['eu.amazon.nova-micro-v1:0', 'us-east-1'],
    ['apac.amazon.nova-micro-v1:0', 'eu-west-1'],
  ])('%s cannot be called from %s: an inference profile works only from a region it includes', (modelId, region) => {
    expect(regionProblems({ modelId }, region)).toEqual([
      expect.stringContaining(`modelId: got "${modelId}" for region "${region}"`),
    ]);
  });

  test('availability zones of another region are refused', () => {
    expect(
      regionProblems({ isolatedNetwork: true, availabilityZones: ['us-east-1a', 'us-east-1b'] }, 'eu-west-1'),
    ).toEqual([expect.stringContaining('availabilityZones: got ["us-east-1a","us-east-1b"] for region "eu-west-1"')]);
  });

  test('the app pinned to a region refuses a profile of another geography before building anything', () => {
    expect(() => buildApp({ modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0' })).toThrow(
      /modelId: got "us\.anthropic[^"]*" for region "eu-west-1"/,
    );
  });
});

describe('the app refuses bad configuration before building anything', () => {
  test('a bad value fails synth with a message naming it', () => {
    expect(() => buildApp({ removalPolicy: 'delete', recordsRetentionDays: 'ninety' })).toThrow(
      /Invalid configuration \(2 problems\):\n {2}- removalPolicy: got "delete", allowed: "retain" or "destroy"\n {2}- recordsRetentionDays: got "ninety"/,
    );
  });
});

describe('cdk.json', () => {
  test('holds CDK feature flags only: every default lives in the schema, and cdk.context.json (npm run preflight -- --save) is not shadowed', () => {
    const ours = Object.keys(CDK_JSON_CONTEXT).filter((key) => !key.includes(':') && !key.startsWith('@'));
    expect(ours).toEqual([]);
    expect(Object.keys(parseConfig({})).sort()).toEqual(Object.keys(SETTINGS).sort());
  });
});
