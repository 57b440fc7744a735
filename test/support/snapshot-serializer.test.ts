import serializer from './snapshot-serializer';

const HASH = 'a'.repeat(40) + '0123456789abcdef01234567';

describe('snapshot serializer', () => {
  test('asset hashes => placeholder, in keys such as "<hash>.zip" and alone', () => {
    expect({ S3Key: `${HASH}.zip`, Hash: HASH }).toMatchInlineSnapshot(`
      {
        "Hash": "[ASSET HASH]",
        "S3Key": "[ASSET HASH].zip",
      }
    `);
  });

  test('strings without a 64-hex hash are left alone', () => {
    expect(serializer.test('DataBucketE6B0FAA8')).toBe(false);
    expect(serializer.test('abc123')).toBe(false);
    expect(serializer.test(HASH)).toBe(true);
  });
});
