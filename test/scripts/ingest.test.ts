import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommand } from '../../scripts/cli/command';
import { captureIo } from '../../scripts/cli/output';
import { command, documentsToUpload, ingest, type IngestDeps } from '../../scripts/ingest';
import { classify } from '../../lambda/promote/content';
import { refusalByName } from '../../lib/shared/document-names';
import { collectDocuments, MAX_DOCUMENT_BYTES, sampleDocuments } from '../../scripts/ingest/documents';
import { SOURCE_VERSION_METADATA } from '../../scripts/ingest/promotion';
import { execute } from '../../scripts/run-cli';
import { describeStacks } from '../support/deployed-stacks';

const region = 'eu-west-1';
const account = '111122223333';
const bucket = 'guardedgenai-dataprotection-databucket-1a2b3c4d5e6f';
const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const dlq = `https://sqs.${region}.amazonaws.com/${account}/GuardedGenAi-Ingestion-promotion-dead-letters`;
const STACKS: Record<string, Record<string, string>> = {
  'GuardedGenAi-DataProtection': { DataBucketName: bucket, ProjectKeyArn: keyArn },
  'GuardedGenAi-Ingestion': {
    PromotionFunctionName: 'GuardedGenAi-Ingestion-Promote',
    PromotionQueueUrl: `https://sqs.${region}.amazonaws.com/${account}/GuardedGenAi-Ingestion-promotions`,
    PromotionDeadLetterQueueUrl: dlq,
  },
};

const s3 = mockClient(S3Client);
const cloudformation = mockClient(CloudFormationClient);
const named = (name: string, message = name) => Object.assign(new Error(message), { name });

let tmp: string;
let clock: number;
const deps = (): IngestDeps => ({
  resolve: async () => ({ region, credentials: async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' }) }),
  clients: () => ({ s3: new S3Client({ region }), cloudformation: new CloudFormationClient({ region }) }),
  sleep: async (ms) => {
    clock += ms;
  },
  now: () => clock,
  docsDir: path.join(tmp, 'docs'),
  binaryDocuments: () => binaryDocuments,
});
/** The binaryDocuments setting the command reads (the project's default unless a test changes it). */
let binaryDocuments: 'refuse' | 'promote-unscreened' = 'refuse';

function write(relative: string, content: string | number = 'text'): string {
  const file = path.join(tmp, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (typeof content === 'number') {
    // A sparse file: its size without writing the bytes.
    fs.writeFileSync(file, '');
    fs.truncateSync(file, content);
  } else fs.writeFileSync(file, content);
  return file;
}

/** Run the command as `npm run ingest -- <argv>` would, against the mocked account. */
async function run(argv: string[]) {
  const io = captureIo();
  const code = await execute(command, argv, (parsed, out) => ingest(parsed, out, deps()), io);
  return { code, io };
}

/** Each upload gets a version id, as in the versioned data bucket. */
let versions = 0;
const versionOf = new Map<string, string>();

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-'));
  clock = Date.UTC(2026, 5, 1, 12);
  s3.reset();
  cloudformation.reset();
  versions = 0;
  versionOf.clear();
  cloudformation.on(DescribeStacksCommand).callsFake(describeStacks(STACKS));
  s3.on(PutObjectCommand).callsFake(({ Key }: { Key: string }) => {
    const VersionId = `v${++versions}-3HL4kqtJlcpXroDTDmJ`;
    versionOf.set(Key, VersionId);
    return { VersionId, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn, BucketKeyEnabled: true };
  });
});

afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('what is uploaded, under which key', () => {
  test('a folder: recursively, keyed from the folder name; hidden files and folders left out', () => {
    write('handbook/leave.md');
    write('handbook/hr/policies/travel.pdf');
    write('handbook/.DS_Store');
    write('handbook/.git/config');
    const { documents, hidden, skipped } = collectDocuments(path.join(tmp, 'handbook/'), 'promote-unscreened');
    expect(documents.map((d) => d.relative)).toEqual(['handbook/hr/policies/travel.pdf', 'handbook/leave.md']);
    expect(hidden).toBe(2);
    expect(skipped).toEqual([]);
  });

  test('a single file: keyed by its name', () => {
    const file = write('some/where/policy.txt');
    expect(collectDocuments(file).documents).toEqual([{ file, relative: 'policy.txt', bytes: 4 }]);
  });

  test('a file over the 50 MB knowledge base limit is left out, with the reason', () => {
    write('big/small.md');
    const large = write('big/scan.pdf', MAX_DOCUMENT_BYTES + 1);
    const { documents, skipped } = collectDocuments(path.join(tmp, 'big'), 'promote-unscreened');
    expect(documents.map((d) => d.relative)).toEqual(['big/small.md']);
    expect(skipped).toEqual([{ file: large, reason: '50.0 MB: a knowledge base takes files of at most 50 MB' }]);
  });

  test('names the promotion function refuses whatever they hold are not uploaded, with its reason name', () => {
    for (const name of [
      'notes/a.markdown',
      'notes/b.json',
      'notes/c.md.metadata.json',
      'notes/README',
      'notes/d.htm',
      'notes/e.txt ',
      'notes/f.pdf',
      'notes/g.docx',
      'notes/h.md',
      'notes/i.CSV',
    ]) {
      write(name);
    }
    const reasons = (binary: 'refuse' | 'promote-unscreened') => {
      const { documents, skipped } = collectDocuments(path.join(tmp, 'notes'), binary);
      return {
        uploaded: documents.map((d) => d.relative),
        skipped: Object.fromEntries(skipped.map((s) => [path.basename(s.file), s.reason.split(':')[0]])),
      };
    };
    expect(reasons('refuse')).toEqual({
      uploaded: ['notes/h.md', 'notes/i.CSV'],
      skipped: {
        'a.markdown': 'unsupported-format',
        'b.json': 'unsupported-format',
        'c.md.metadata.json': 'metadata-sidecar',
        README: 'unsupported-format',
        'd.htm': 'unsupported-format',
        'e.txt ': 'unsupported-format',
        'f.pdf': 'binary-not-screened',
        'g.docx': 'binary-not-screened',
      },
    });
    const promoting = reasons('promote-unscreened');
    expect(promoting.uploaded).toEqual(['notes/f.pdf', 'notes/g.docx', 'notes/h.md', 'notes/i.CSV']);
    expect(Object.keys(promoting.skipped)).not.toContain('f.pdf');
  });

  test('the names skipped are exactly those the promotion function refuses by name (one shared rule)', () => {
    const bytes = new TextEncoder().encode('plain text');
    for (const name of ['a.markdown', 'b.json', 'c.txt.metadata.json', 'README', 'd.md', 'e.html', 'f.TXT']) {
      const byFunction = classify(`incoming/${name}`, bytes, true);
      const byIngest = refusalByName(name, 'promote-unscreened');
      expect(byIngest).toBe(byFunction.kind === 'refused' ? byFunction.reason : undefined);
    }
  });

  test("--sample: the project's docs/*.md only, keyed incoming/docs/<name>", () => {
    write('docs/deploying.md');
    write('docs/cost.md');
    write('docs/prices.json');
    expect(sampleDocuments(path.join(tmp, 'docs')).documents.map((d) => d.relative)).toEqual([
      'docs/cost.md',
      'docs/deploying.md',
    ]);
  });

  test('the real sample corpus is the Markdown in docs/, each within the limit', () => {
    const { documents, skipped } = sampleDocuments(path.join(__dirname, '..', '..', 'docs'));
    expect(documents.length).toBeGreaterThan(5);
    expect(documents.every((d) => d.relative.startsWith('docs/') && d.relative.endsWith('.md'))).toBe(true);
    expect(skipped).toEqual([]);
  });
});

describe('command line', () => {
  test.each([
    [['/no/such/path'], 'npm run ingest: /no/such/path does not exist (give a file or a folder)'],
    [[], 'npm run ingest: give a file or folder to upload, or --sample'],
    [['--sample', 'docs'], 'npm run ingest: give a path or --sample, not both (got "docs")'],
    [['x', '--timeout', '5'], 'npm run ingest: --timeout needs a whole number from 10 to 3600, got 5'],
  ])('%j => usage error, exit 2, nothing uploaded', async (argv, message) => {
    const { code, io } = await run(argv);
    expect(code).toBe(2);
    expect(io.stderr.split('\n')[0]).toBe(message);
    expect(s3.calls()).toHaveLength(0);
  });

  test('an empty folder (only hidden files) => usage error', async () => {
    write('empty/.keep');
    const { code, io } = await run([path.join(tmp, 'empty')]);
    expect(code).toBe(2);
    expect(io.stderr).toContain('no files to upload');
  });

  test('--sample needs no path; a path with --sample is refused', () => {
    expect(parseCommand(command, ['--sample', '--wait']).values).toMatchObject({
      sample: true,
      wait: true,
      timeout: 300,
    });
    expect(() => documentsToUpload(parseCommand(command, ['docs', '--sample']), tmp)).toThrow(
      'give a path or --sample, not both',
    );
  });
});

describe('upload', () => {
  test('each file to incoming/ with SSE-KMS, the project key and a Bucket Key, sent explicitly', async () => {
    write('handbook/leave.md', '# Leave\n');
    write('handbook/hr/travel.txt', 'Travel policy');
    const { code, io } = await run([path.join(tmp, 'handbook'), '--region', region]);
    expect(code).toBe(0);
    expect(
      s3.commandCalls(PutObjectCommand).map((c) => ({ ...c.args[0].input, Body: String(c.args[0].input.Body) })),
    ).toEqual([
      {
        Bucket: bucket,
        Key: 'incoming/handbook/hr/travel.txt',
        Body: 'Travel policy',
        ContentType: 'text/plain; charset=utf-8',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyArn,
        BucketKeyEnabled: true,
      },
      {
        Bucket: bucket,
        Key: 'incoming/handbook/leave.md',
        Body: '# Leave\n',
        ContentType: 'text/markdown; charset=utf-8',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyArn,
        BucketKeyEnabled: true,
      },
    ]);
    expect(io.stdout).toContain(`Uploaded 2 documents to s3://${bucket}/incoming/:`);
    expect(io.stdout).toContain('about a minute');
    // Without --wait nothing is polled.
    expect(s3.commandCalls(GetObjectTaggingCommand)).toHaveLength(0);
  });

  test('a file over the limit is reported and not uploaded; the rest are, and the exit code is 1', async () => {
    write('set/ok.md');
    write('set/huge.txt', MAX_DOCUMENT_BYTES + 1024 * 1024);
    const { code, io } = await run([path.join(tmp, 'set')]);
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/not uploaded: .*huge\.txt \(51 MB: a knowledge base takes files of at most 50 MB\)/);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['incoming/set/ok.md']);
  });

  test('binaryDocuments "refuse" => a PDF is not uploaded (binary-not-screened); "promote-unscreened" => it is', async () => {
    write('mixed/guide.pdf');
    write('mixed/notes.md');
    write('mixed/data.json');
    const refused = await run([path.join(tmp, 'mixed')]);
    expect(refused.code).toBe(1);
    expect(refused.io.stderr).toMatch(/not uploaded: .*guide\.pdf \(binary-not-screened: /);
    expect(refused.io.stderr).toMatch(/not uploaded: .*data\.json \(unsupported-format: /);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['incoming/mixed/notes.md']);
    s3.resetHistory();
    binaryDocuments = 'promote-unscreened';
    try {
      await run([path.join(tmp, 'mixed')]);
    } finally {
      binaryDocuments = 'refuse';
    }
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'incoming/mixed/guide.pdf',
      'incoming/mixed/notes.md',
    ]);
  });

  test('no Ingestion stack (knowledgeBase off) => exit 1 before anything is uploaded', async () => {
    cloudformation
      .on(DescribeStacksCommand, { StackName: 'GuardedGenAi-Ingestion' })
      .rejects(named('ValidationError', 'Stack with id GuardedGenAi-Ingestion does not exist'));
    write('a.md');
    const { code, io } = await run([path.join(tmp, 'a.md')]);
    expect(code).toBe(1);
    expect(io.stderr).toContain('GuardedGenAi-Ingestion does not exist in eu-west-1, so nothing would promote');
    expect(s3.calls()).toHaveLength(0);
  });

  test('the upload refused (no permission) => exit 1 naming the permissions', async () => {
    s3.on(PutObjectCommand).rejects(named('AccessDenied', 'Access Denied'));
    write('a.md');
    const { code, io } = await run([path.join(tmp, 'a.md')]);
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/uploading .*a\.md to s3:\/\/.*\/incoming\/: access denied \(Access Denied\)/);
    expect(io.stderr).toContain('s3:PutObject on incoming/*');
  });
});

describe('--wait: promoted, refused or not decided in time', () => {
  /** The promotion function's decisions, by file name, visible 15 s after the upload (scan plus promotion). */
  function promotion(
    decisions: Record<string, { promote?: boolean; stale?: boolean; refuse?: string; scan?: string }>,
  ) {
    const started = clock;
    const decided = () => clock - started >= 15_000;
    const decision = (key: string) => decisions[path.posix.basename(key)] ?? {};
    s3.on(GetObjectTaggingCommand).callsFake(({ Key, VersionId }: { Key: string; VersionId: string }) => {
      expect(VersionId).toBe(versionOf.get(Key));
      const d = decision(Key);
      const tags = [];
      if (decided() && d.scan) tags.push({ Key: 'GuardDutyMalwareScanStatus', Value: d.scan });
      if (decided() && d.refuse) tags.push({ Key: 'KnowledgePromotion', Value: d.refuse });
      return { TagSet: tags };
    });
    s3.on(ListObjectsV2Command).callsFake(({ Prefix }: { Prefix: string }) => {
      const d = decision(Prefix);
      return { Contents: (decided() && d.promote) || d.stale ? [{ Key: Prefix }] : [] };
    });
    s3.on(HeadObjectCommand).callsFake(({ Key }: { Key: string }) => {
      const d = decision(Key);
      const source = versionOf.get(Key.replace(/^knowledge\//, 'incoming/'));
      return { Metadata: { [SOURCE_VERSION_METADATA]: d.promote && decided() ? source : 'v0-an-earlier-upload' } };
    });
  }

  test('each outcome in a table; exit 1 because one was refused and one not decided', async () => {
    write('docs/clean.md');
    write('docs/card.md', 'Card 4111 1111 1111 1111');
    write('docs/stuck.md');
    promotion({
      'clean.md': { promote: true, scan: 'NO_THREATS_FOUND' },
      'card.md': { refuse: 'sensitive-information', scan: 'NO_THREATS_FOUND' },
      // An earlier upload's copy is in knowledge/; this upload is scanned but never promoted.
      'stuck.md': { stale: true, scan: 'NO_THREATS_FOUND' },
    });
    const started = clock;
    const { code, io } = await run(['--sample', '--wait', '--timeout', '60']);
    expect(code).toBe(1);
    expect(io.stdout.split('\n').slice(0, 5)).toEqual([
      `Promotion of 3 documents in s3://${bucket}:`,
      '  DOCUMENT                RESULT    DETAIL',
      "  incoming/docs/card.md   refused   sensitive-information: the guardrail's sensitive-information policy blocks its text",
      `  incoming/docs/clean.md  promoted  s3://${bucket}/knowledge/docs/clean.md`,
      '  incoming/docs/stuck.md  timeout   not decided within 60 s (malware scan: NO_THREATS_FOUND)',
    ]);
    expect(io.stdout).toContain('Refused documents stay in incoming/ tagged KnowledgePromotion=<reason>');
    expect(io.stdout).toContain(dlq);
    expect(io.stderr).toContain('about a minute');
    // Bounded: the wait stops at the timeout.
    expect(clock - started).toBe(60_000);
  });

  test('all promoted => exit 0, and polling stops once all are decided', async () => {
    write('docs/a.md');
    write('docs/b.md');
    promotion({ 'a.md': { promote: true }, 'b.md': { promote: true } });
    const started = clock;
    const { code, io } = await run(['--sample', '--wait']);
    expect(code).toBe(0);
    expect(io.stdout).toContain('npm run ask -- --knowledge');
    expect(clock - started).toBe(15_000);
  });

  test('not scanned at all within the wait => timeout says so', async () => {
    write('docs/a.md');
    promotion({});
    const { code, io } = await run(['--sample', '--wait', '--timeout', '10', '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(io.stdout)).toMatchObject({
      ok: false,
      bucket,
      uploaded: [
        {
          key: 'incoming/docs/a.md',
          versionId: 'v1-3HL4kqtJlcpXroDTDmJ',
          result: 'timeout',
          detail: 'not decided within 10 s (not scanned yet)',
        },
      ],
    });
  });

  test('malware => refused with the reason', async () => {
    write('docs/eicar.md');
    promotion({ 'eicar.md': { refuse: 'malware-found', scan: 'THREATS_FOUND' } });
    const { code, io } = await run(['--sample', '--wait']);
    expect(code).toBe(1);
    expect(io.stdout).toContain('incoming/docs/eicar.md  refused  malware-found: GuardDuty found malware in it');
    // A refused document is never looked for in knowledge/.
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });
});
