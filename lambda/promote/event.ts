/**
 * The SQS message body: the EventBridge event GuardDuty Malware Protection for
 * S3 publishes when it has scanned an object.
 * https://docs.aws.amazon.com/guardduty/latest/ug/monitor-with-eventbridge-s3-malware-protection.html
 */
export const SCAN_RESULT_DETAIL_TYPE = 'GuardDuty Malware Protection Object Scan Result';

export interface ScanResult {
  readonly bucket: string;
  readonly key: string;
  /** The version GuardDuty scanned: the only one this verdict is about. */
  readonly versionId: string;
  /**
   * The scan's own status: COMPLETED, SKIPPED or FAILED ("An S3 object scan
   * status indicates the status of the malware scan, such as completed,
   * skipped, or failed"); absent in an event that does not carry it.
   */
  readonly scanStatus?: string;
  /** NO_THREATS_FOUND, THREATS_FOUND, UNSUPPORTED, ACCESS_DENIED or FAILED. */
  readonly status: string;
  /** Why the scan was skipped or failed (a password-protected file, say), as GuardDuty words it; at most a few. */
  readonly statusReasons: readonly string[];
  /** Names of the threats found (THREATS_FOUND only). */
  readonly threats: readonly string[];
}

/** A body that is not a scan result this function understands. */
export class MalformedEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEvent';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const text = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The scan result in a message body, or a MalformedEvent saying what is wrong with it (never quoting the body). */
export function parseScanResult(body: string): ScanResult | MalformedEvent {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return new MalformedEvent('the body is not JSON');
  }
  if (!isObject(event)) return new MalformedEvent('the body is not a JSON object');
  if (event['detail-type'] !== SCAN_RESULT_DETAIL_TYPE || event.source !== 'aws.guardduty') {
    return new MalformedEvent('the body is not a GuardDuty Malware Protection object scan result');
  }
  const detail = event.detail;
  if (!isObject(detail) || !isObject(detail.s3ObjectDetails) || !isObject(detail.scanResultDetails)) {
    return new MalformedEvent('the event has no s3ObjectDetails or scanResultDetails');
  }
  const { bucketName, objectKey, versionId } = detail.s3ObjectDetails;
  const { scanResultStatus, threats } = detail.scanResultDetails;
  if (!text(bucketName) || !text(objectKey) || !text(scanResultStatus)) {
    return new MalformedEvent('the event has no bucketName, objectKey or scanResultStatus');
  }
  // The data bucket is versioned: a verdict without a version cannot be tied
  // to the bytes it is about, since the key may have been overwritten since.
  if (!text(versionId) || versionId === 'null') return new MalformedEvent('the event names no object version');
  const names = Array.isArray(threats)
    ? threats.flatMap((threat) => (isObject(threat) && text(threat.name) ? [threat.name] : []))
    : [];
  return {
    bucket: bucketName,
    key: objectKey,
    versionId,
    ...(text(detail.scanStatus) ? { scanStatus: detail.scanStatus } : {}),
    status: scanResultStatus,
    statusReasons: reasons(detail.statusReasons ?? detail.scanResultDetails.statusReasons),
    threats: names,
  };
}

/** Most reasons kept, and longest kept of each: enough to say why, small enough for an alert. */
const MAX_REASONS = 5;
const MAX_REASON_CHARS = 200;

/**
 * The status reasons as short strings. Where GuardDuty puts them in this
 * event, and whether each is a string or an object, is not in the event
 * samples AWS publishes, so both places and both shapes are read; an object
 * is kept as its JSON.
 */
function reasons(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list
    .slice(0, MAX_REASONS)
    .map((reason) => (typeof reason === 'string' ? reason : JSON.stringify(reason)).slice(0, MAX_REASON_CHARS));
}

/**
 * Only a completed scan that found nothing is clean. GuardDuty pairs each
 * result status with a scan status ("Each malware scan result status value
 * maps to a scan status"), and its samples pair NO_THREATS_FOUND with
 * COMPLETED only, so any other scan status, or none, is not a clean verdict
 * (https://docs.aws.amazon.com/guardduty/latest/ug/monitoring-malware-protection-s3-scans-gdu.html).
 */
export function isCleanScan(scan: Pick<ScanResult, 'scanStatus' | 'status'>): boolean {
  return scan.scanStatus === 'COMPLETED' && scan.status === 'NO_THREATS_FOUND';
}
