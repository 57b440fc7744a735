import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { GetObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { checkText, type GuardrailSettings, MAX_TEXT_BYTES, type TextVerdict } from './check';
import { classify, readableText, SNIFF_BYTES } from './content';
import { KNOWLEDGE_BASE_MAX_FILE_BYTES } from '../../lib/shared/promotion-contract';
import type { Logger } from './errors';
import { copyVersion, type Promoted, putMaskedText, type Source, type WriteSettings } from './promote';
import type { Refusal } from './refuse';
import type { PromotionSettings } from './settings';

/**
 * The screen between a clean malware verdict and knowledge/: what the
 * document is (content.ts), the guardrail's check of its text (check.ts),
 * and the write of what passed.
 */

export interface ScreenDependencies {
  readonly s3: Pick<S3Client, 'send'>;
  readonly bedrock: Pick<BedrockRuntimeClient, 'send'>;
  readonly logger: Logger;
  readonly now: () => number;
}

export type ScreenSettings = GuardrailSettings & WriteSettings & Pick<PromotionSettings, 'binaryDocuments'>;

/** Decide from the name and content what a clean version is, and write it (or its masked text) to knowledge/, or say why it is refused. */
export type ScreenAndCopy = (
  settings: ScreenSettings,
  source: Source,
  destination: string,
  latest: HeadObjectCommandOutput,
) => Promise<Promoted | Refusal>;

export function screener(deps: ScreenDependencies): ScreenAndCopy {
  const { s3, bedrock, logger, now } = deps;

  /** The scanned version's bytes: all of them, or the first `limit`. */
  async function read(source: Source, limit?: number): Promise<Uint8Array> {
    const object = await s3.send(
      new GetObjectCommand({
        Bucket: source.bucket,
        Key: source.key,
        VersionId: source.versionId,
        ...(limit === undefined ? {} : { Range: `bytes=0-${limit - 1}` }),
      }),
    );
    // No body is an error to retry, never an empty (and so clean) document.
    if (!object.Body) throw new Error('GetObject returned no body');
    return object.Body.transformToByteArray();
  }

  /**
   * Screen text as it is and, for markup, what a parser would read from what
   * would be written (the masked text, or the original): that reading must be
   * clean too, or the document is refused, since what character references
   * or tags hid from the first screen cannot be masked in the markup.
   */
  async function screen(settings: ScreenSettings, text: string, markup: boolean): Promise<Refusal | TextVerdict> {
    const verdict = await checkText(bedrock, settings, text, logger);
    if (verdict.kind === 'blocked' || verdict.kind === 'incomplete' || !markup) return verdict;
    const written = verdict.kind === 'masked' ? verdict.text : text;
    const readable = readableText(written);
    if (readable === written) return verdict;
    const read = await checkText(bedrock, settings, readable, logger);
    if (read.kind === 'clean') return verdict;
    if (read.kind === 'incomplete') return read;
    return { reason: 'sensitive-information', entityTypes: read.entityTypes, regexNames: read.regexNames };
  }

  return async function screenAndCopy(
    settings: ScreenSettings,
    source: Source,
    destination: string,
    latest: HeadObjectCommandOutput,
  ): Promise<Promoted | Refusal> {
    if (latest.ContentLength === undefined) throw new Error('HeadObject returned no ContentLength');
    // Read whole what could be checked whole; of a larger file, enough to tell what it is.
    const whole = latest.ContentLength <= MAX_TEXT_BYTES;
    const bytes = await read(source, whole ? undefined : SNIFF_BYTES);
    if (whole && bytes.length !== latest.ContentLength) {
      throw new Error(`read ${bytes.length} bytes of a version of ${latest.ContentLength}`);
    }
    const kind = classify(source.key, bytes, whole);
    if (kind.kind === 'refused') return { reason: kind.reason };
    if (kind.kind === 'binary-document') {
      if (settings.binaryDocuments !== 'promote-unscreened')
        return { reason: 'binary-not-screened', format: kind.format };
      // Copied, it would fail in the ingestion job: refused with the reason instead.
      if (latest.ContentLength > KNOWLEDGE_BASE_MAX_FILE_BYTES)
        return { reason: 'too-large-to-index', format: kind.format };
      return copyVersion(s3, source, destination, latest.ContentType, 'malware-scan', settings, now);
    }
    if (!whole) return { reason: 'too-large-to-check' };
    const verdict = await screen(settings, new TextDecoder('utf-8').decode(bytes), kind.markup);
    if ('reason' in verdict) return verdict;
    switch (verdict.kind) {
      case 'blocked':
        return { reason: 'sensitive-information', entityTypes: verdict.entityTypes, regexNames: verdict.regexNames };
      case 'incomplete':
        return { reason: 'screen-incomplete' };
      case 'masked':
        return putMaskedText(s3, source, destination, verdict.text, latest.ContentType, settings, now);
      case 'clean':
        return copyVersion(s3, source, destination, latest.ContentType, 'guardrail', settings, now);
    }
  };
}
