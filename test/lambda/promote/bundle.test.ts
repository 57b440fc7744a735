/**
 * The deployed artifact: the handler bundled by esbuild with the project's
 * bundling options (lib/esm-bundling.ts), loaded by a plain Node process as
 * Lambda loads it, with the real S3 and Bedrock Agent clients talking to
 * a local stand-in. It catches what the unit tests cannot: module-format and
 * bundling mistakes, and the requests the real SDK puts on the wire.
 *
 * It bundles the entry point directly rather than through the CDK construct,
 * so it does not depend on the stack; the options are the same ones.
 */
import { esmBundle, recordingServer, type RecordingServer, runBundle } from '../../support/bundle-process';
import { BUCKET, ENVIRONMENT, scanResult, sqsEvent, VERSION } from './fixtures';

/**
 * S3 (path style: the endpoint is an IP address) and the Bedrock Agent REST
 * API on one local port.
 */
function standIn(): Promise<RecordingServer> {
  return recordingServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    const listing = new URL(req.url ?? '/', 'http://stand-in');
    if (req.method === 'GET' && listing.searchParams.get('list-type') === '2') {
      // ListObjectsV2: the scanned document is there, knowledge/ is empty.
      const prefix = listing.searchParams.get('prefix') ?? '';
      const contents = prefix.startsWith('incoming/')
        ? `<Contents><Key>${prefix}</Key><Size>4000000</Size></Contents>`
        : '';
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${BUCKET}</Name><Prefix>${prefix}</Prefix><KeyCount>${contents ? 1 : 0}</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
      );
    } else if (req.method === 'HEAD' && url.startsWith(`/${BUCKET}/knowledge/`)) {
      res.writeHead(404).end();
    } else if (req.method === 'HEAD' && url.startsWith(`/${BUCKET}/incoming/`)) {
      res
        .writeHead(200, {
          'x-amz-version-id': VERSION,
          'content-type': 'application/pdf',
          'content-length': '4000000',
          'last-modified': 'Sun, 29 Nov 2026 09:59:58 GMT',
        })
        .end();
    } else if (req.method === 'GET' && url.startsWith(`/${BUCKET}/incoming/`)) {
      // The first bytes of the 4 MB PDF (a ranged GetObject of the scanned version), enough to tell what it is.
      const bytes = Buffer.from([...Buffer.from('%PDF-1.7\n%'), 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]);
      res.writeHead(206, {
        'content-type': 'application/pdf',
        'content-length': String(bytes.length),
        'content-range': `bytes 0-${bytes.length - 1}/4000000`,
        'x-amz-version-id': VERSION,
      });
      res.end(bytes);
    } else if (req.method === 'PUT' && url.startsWith(`/${BUCKET}/knowledge/`)) {
      res.writeHead(200, { 'content-type': 'application/xml', 'x-amz-version-id': 'dst-v1' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><LastModified>2026-11-29T10:00:05.000Z</LastModified><ETag>"6ee985bd6f65dc90bb7896a94fe9adb0"</ETag></CopyObjectResult>',
      );
    } else if (url.endsWith('/ingestionjobs/') && req.method === 'POST') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ingestionJobSummaries: [] }));
    } else if (url.endsWith('/ingestionjobs/') && req.method === 'PUT') {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ingestionJob: {
            knowledgeBaseId: ENVIRONMENT.KNOWLEDGE_BASE_ID,
            dataSourceId: ENVIRONMENT.DATA_SOURCE_ID,
            ingestionJobId: 'NEWJOB0001',
            status: 'STARTING',
            startedAt: '2026-11-29T10:00:07Z',
            updatedAt: '2026-11-29T10:00:07Z',
          },
        }),
      );
    } else {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"unexpected request"}');
    }
  });
}

const RUNNER = `
const { handler } = await import(process.env.BUNDLE);
process.stdout.write(JSON.stringify(await handler(JSON.parse(process.env.EVENT))));
`;

test('the ESM bundle promotes a clean PDF (binaryDocuments=promote-unscreened) with the real clients: first bytes read, exact version copied with the project key, job started, record kept', async () => {
  const { bundle, remove } = await esmBundle('promote');
  const { server, seen, base } = await standIn();
  const event = sqsEvent(scanResult('incoming/reports/q3 summary.pdf'));
  let stdout: string;
  try {
    const run = await runBundle(RUNNER, bundle, event, {
      ...ENVIRONMENT,
      BINARY_DOCUMENTS: 'promote-unscreened',
      AWS_ENDPOINT_URL_S3: base,
      AWS_ENDPOINT_URL_BEDROCK_AGENT: base,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    stdout = run.stdout;
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  } finally {
    server.close();
    remove();
  }
  // The record stays in the queue (returned, to come back) until the job it started has an outcome.
  expect(JSON.parse(stdout)).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] });
  const [read] = seen.filter((s) => s.method === 'GET' && s.url?.startsWith(`/${BUCKET}/incoming/`));
  expect(read.headers.range).toBe('bytes=0-8191');
  expect(read.url).toContain(`versionId=${VERSION}`);
  const [copy] = seen.filter((s) => s.method === 'PUT' && s.url?.startsWith(`/${BUCKET}/knowledge/`));
  expect(decodeURIComponent(copy.url ?? '')).toMatch(`/${BUCKET}/knowledge/reports/q3 summary.pdf`);
  expect(copy.headers).toMatchObject({
    'x-amz-copy-source': `${BUCKET}/incoming%2Freports%2Fq3%20summary.pdf?versionId=${VERSION}`,
    'x-amz-server-side-encryption': 'aws:kms',
    'x-amz-server-side-encryption-aws-kms-key-id': ENVIRONMENT.KMS_KEY_ARN,
    'x-amz-server-side-encryption-bucket-key-enabled': 'true',
    'x-amz-metadata-directive': 'REPLACE',
    'x-amz-tagging-directive': 'REPLACE',
    'x-amz-meta-promoted-from-version': VERSION,
    'x-amz-meta-promotion-check': 'malware-scan',
    'content-type': 'application/pdf',
  });
  const start = seen.find((s) => s.method === 'PUT' && s.url?.endsWith('/ingestionjobs/'));
  expect(start?.url).toBe(
    `/knowledgebases/${ENVIRONMENT.KNOWLEDGE_BASE_ID}/datasources/${ENVIRONMENT.DATA_SOURCE_ID}/ingestionjobs/`,
  );
  expect(JSON.parse(start?.body ?? '{}')).toMatchObject({ clientToken: expect.stringMatching(/^[0-9a-f]{64}$/) });
});
