/**
 * The retrieval check: the knowledge base is ACTIVE, its data source's last
 * ingestion job did not fail, and a knowledge-base request to the function
 * answers 200 with citations.
 */
import {
  GetIngestionJobCommand,
  GetKnowledgeBaseCommand,
  type IngestionJobSummary,
  ListIngestionJobsCommand,
} from '@aws-sdk/client-bedrock-agent';
import { type CheckDefinition, fail, isOutcome, pass, skip, stack, type VerifyContext, wait } from './context';
import { ask } from './invoke-checks';

/** A question the sample corpus (npm run ingest -- --sample: the project's docs) answers. */
export const KNOWLEDGE_QUESTION = 'How does a document get into the knowledge base?';

const NO_DOCUMENTS = 'no documents indexed yet: run npm run ingest -- --sample';

/** The newest ingestion job of the data source, or undefined when none ran yet. */
async function lastIngestionJob(
  context: VerifyContext,
  knowledgeBaseId: string,
  dataSourceId: string,
): Promise<IngestionJobSummary | undefined> {
  const { ingestionJobSummaries } = await context.clients.bedrockAgent.send(
    new ListIngestionJobsCommand({
      knowledgeBaseId,
      dataSourceId,
      sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
      maxResults: 1,
    }),
  );
  return ingestionJobSummaries?.[0];
}

function jobText(job: IngestionJobSummary | undefined): string {
  if (!job) return 'no ingestion job yet';
  const s = job.statistics;
  const counts = s
    ? ` (${(s.numberOfNewDocumentsIndexed ?? 0) + (s.numberOfModifiedDocumentsIndexed ?? 0)} indexed, ${s.numberOfDocumentsFailed ?? 0} failed)`
    : '';
  return `last ingestion job ${job.status ?? 'unknown'}${counts}`;
}

export const KNOWLEDGE_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'knowledge',
    async run(context, state) {
      const knowledge = stack(context, 'Knowledge');
      if (isOutcome(knowledge)) return knowledge;
      const { KnowledgeBaseId, DataSourceId } = knowledge;
      if (!KnowledgeBaseId || !DataSourceId) {
        return fail('no KnowledgeBaseId/DataSourceId output', 'Redeploy the Knowledge stack.');
      }
      const { knowledgeBase } = await context.clients.bedrockAgent.send(
        new GetKnowledgeBaseCommand({ knowledgeBaseId: KnowledgeBaseId }),
      );
      if (knowledgeBase?.status !== 'ACTIVE') {
        const reasons = (knowledgeBase?.failureReasons ?? []).join('; ');
        return fail(
          `knowledge base ${KnowledgeBaseId} is ${knowledgeBase?.status ?? 'unknown'}${reasons ? `: ${reasons}` : ''}`,
          'CREATING/UPDATING: run this again in a few minutes; FAILED: the reason names the role or vector index permission to fix, then redeploy the Knowledge stack.',
        );
      }
      const job = await lastIngestionJob(context, KnowledgeBaseId, DataSourceId);
      if (job?.status === 'FAILED') {
        const { ingestionJob } = await context.clients.bedrockAgent.send(
          new GetIngestionJobCommand({
            knowledgeBaseId: KnowledgeBaseId,
            dataSourceId: DataSourceId,
            ingestionJobId: job.ingestionJobId,
          }),
        );
        return fail(
          `ingestion job ${job.ingestionJobId} FAILED: ${(ingestionJob?.failureReasons ?? []).join('; ') || 'no reason given'}`,
          "The knowledge base's role must read knowledge/ of the data bucket, use the project key through S3 and write the vector index; the next promotion starts a new job.",
        );
      }
      const answer = await ask(context, state, 'knowledge', {
        prompt: KNOWLEDGE_QUESTION,
        knowledgeBase: true,
        stream: false,
      });
      if (isOutcome(answer)) return answer;
      if (!Array.isArray(answer.citations)) {
        return fail(
          'the answer has no citations',
          'The deployed function predates retrieval: redeploy the GuardedInvoke stack (npx cdk deploy --all).',
        );
      }
      if (answer.guardrail?.intervened) {
        return fail(
          `the guardrail intervened on a knowledge-base question (${answer.guardrail.policies.join(', ')})`,
          'Contextual grounding or relevance may be too strict for the indexed documents: lower the grounding thresholds, or review what was indexed.',
        );
      }
      const base = `knowledge base ${KnowledgeBaseId} ACTIVE; ${jobText(job)}`;
      // Vector search returns the nearest passages whatever the question, so
      // an empty list means nothing is indexed (or indexing is still running).
      if (answer.citations.length === 0) {
        const running = job?.status === 'STARTING' || job?.status === 'IN_PROGRESS';
        return skip(
          `${base}; ${running ? 'documents are being indexed: run this again in a few minutes' : NO_DOCUMENTS}`,
        );
      }
      const documents = new Set(answer.citations.map((c) => c.location));
      return pass(`${base}; the answer cites ${answer.citations.length} passages from ${documents.size} documents`);
    },
  },
  {
    // Knowledge and ingestion review F2: a job can end COMPLETE with documents that failed
    // (GetIngestionJob statistics.numberOfDocumentsFailed,
    // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_GetIngestionJob.html).
    id: 'ingestion-outcome',
    async run(context) {
      const knowledge = stack(context, 'Knowledge');
      if (isOutcome(knowledge)) return knowledge;
      const { KnowledgeBaseId, DataSourceId } = knowledge;
      if (!KnowledgeBaseId || !DataSourceId) {
        return fail('no KnowledgeBaseId/DataSourceId output', 'Redeploy the Knowledge stack.');
      }
      const summary = await lastIngestionJob(context, KnowledgeBaseId, DataSourceId);
      if (!summary?.ingestionJobId) return skip(`no ingestion job yet: run npm run ingest -- --sample`);
      if (summary.status === 'STARTING' || summary.status === 'IN_PROGRESS' || summary.status === 'STOPPING') {
        return wait(`ingestion job ${summary.ingestionJobId} is ${summary.status}: run it again in a few minutes`);
      }
      const { ingestionJob } = await context.clients.bedrockAgent.send(
        new GetIngestionJobCommand({
          knowledgeBaseId: KnowledgeBaseId,
          dataSourceId: DataSourceId,
          ingestionJobId: summary.ingestionJobId,
        }),
      );
      const job = { ...summary, ...ingestionJob };
      const failed = job.statistics?.numberOfDocumentsFailed ?? 0;
      const reasons = (job.failureReasons ?? []).join('; ');
      if (job.status === 'COMPLETE' && failed === 0) return pass(`${jobText(job)} (job ${job.ingestionJobId})`);
      if (job.status === 'COMPLETE') {
        return fail(
          `ingestion job ${job.ingestionJobId} COMPLETE, but ${failed} documents failed${reasons ? `: ${reasons}` : ''}`,
          'Those documents are not searchable. Usual causes: a file over the size limit, a format the knowledge base cannot parse, or metadata S3 Vectors refuses; the knowledge base application logs name each document. Fix or remove them under knowledge/ and promote again.',
        );
      }
      return fail(
        `ingestion job ${job.ingestionJobId} ${job.status ?? 'unknown'}${reasons ? `: ${reasons}` : ''}`,
        job.status === 'STOPPED'
          ? 'Someone stopped it: the next promotion starts a new job.'
          : "The knowledge base's role must read knowledge/ of the data bucket, use the project key through S3 and write the vector index; the next promotion starts a new job.",
      );
    },
  },
];
