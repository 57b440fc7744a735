/**
 * The rules that keep a model card's review status and its content from
 * changing in the same deployment, checked at synth.
 *
 * SageMaker: "You cannot update both model card content and model card status
 * in a single call."
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateModelCard.html
 *
 * Synth cannot see the deployed card (no lookups), so it cannot know the
 * status or content a deployment changes from. What it can see is
 * `modelCardReviewedDigest`, the digest of the content a person reviewed: it
 * stays set for as long as the deployed card is under review or approved, and
 * it is the witness of what the deployed content is. Hence:
 *
 * 1. `PendingReview` and `Approved` name the content they are about: the
 *    reviewed digest is required and must equal the content's digest. A
 *    content change while a card is under review or approved is refused.
 * 2. Leaving a review (back to `Draft`) is a deployment of its own: while the
 *    reviewed digest is still set, the content must still be the reviewed
 *    one. The digest is removed, and the content changed, in the next
 *    deployment.
 *
 * What stays the user's part (docs/governance.md): removing the digest in the
 * same deployment as the status change, or taking the digest from synth
 * rather than from the deployed Draft card, defeats the check.
 */

/** Review states a deployment may set (`Archived` is left out: see model-card.ts). */
export type ModelCardStatus = 'Draft' | 'PendingReview' | 'Approved';

/** Where a reviewer reads the digest of the content that is deployed. */
const DIGEST_OUTPUT = 'the Governance stack output ModelCardContentDigest';

/**
 * Why this combination cannot be deployed, with the steps that can; undefined
 * when it can.
 */
export function modelCardReviewProblem(
  status: ModelCardStatus,
  reviewedDigest: string | undefined,
  contentDigest: string,
): string | undefined {
  const given = `modelCardStatus "${status}" with modelCardReviewedDigest ${JSON.stringify(reviewedDigest ?? '')}`;
  if (status !== 'Draft' && reviewedDigest === undefined) {
    return (
      `${given}: "${status}" holds only for the content that was read, so it needs modelCardReviewedDigest. ` +
      `Deploy the content as Draft first, read its digest from ${DIGEST_OUTPUT}, then set modelCardStatus and ` +
      `modelCardReviewedDigest together in a deployment that changes nothing else (SageMaker refuses a content ` +
      `and a status change in one update). The content synthesized now has digest ${contentDigest}.`
    );
  }
  if (status !== 'Draft' && reviewedDigest !== contentDigest) {
    return (
      `${given}, but the card's content digest is ${contentDigest}: an approval or a review holds only for the ` +
      `content that was reviewed, and SageMaker refuses a content and a status change in one update. To change ` +
      `the content, use two deployments: (1) set modelCardStatus=Draft, keep modelCardReviewedDigest=` +
      `${reviewedDigest} and the content as it was reviewed (undo the change for now), and deploy; (2) make the ` +
      `change, remove modelCardReviewedDigest, and deploy. Then review the new card and set the status in a ` +
      `deployment of its own.`
    );
  }
  if (status === 'Draft' && reviewedDigest !== undefined && reviewedDigest !== contentDigest) {
    return (
      `${given}, but the card's content digest is ${contentDigest}: while modelCardReviewedDigest is set, the ` +
      `deployed card is the reviewed one, and a deployment that sets it back to Draft must not change its content ` +
      `too (SageMaker refuses both in one update). (1) Deploy the status change with the content as it was ` +
      `reviewed (digest ${reviewedDigest}); (2) then remove modelCardReviewedDigest and change the content in the ` +
      `next deployment.`
    );
  }
  return undefined;
}
