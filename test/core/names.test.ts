import { bucketNameProblems, dnsLabelProblems } from '../../src/core/names';

describe('name rules', () => {
  test('a DNS label lists every problem at once', () => {
    expect(dnsLabelProblems('-My_Name')).toEqual(["must contain only lowercase letters, digits and '-'"]);
    expect(dnsLabelProblems('-name-')).toEqual(['must start and end with a letter or digit']);
    expect(dnsLabelProblems('a'.repeat(64))).toEqual(['must be at most 63 characters (has 64)']);
    expect(dnsLabelProblems('')).toEqual(['must not be empty']);
    expect(dnsLabelProblems('mlflow-db')).toEqual([]);
  });

  test('a bucket name follows the S3 rules', () => {
    expect(bucketNameProblems('My_Bucket')).toEqual(["must contain only lowercase letters, digits, '.' and '-'"]);
    expect(bucketNameProblems('a..b')).toEqual(["must not contain two adjacent periods '..'"]);
    expect(bucketNameProblems('ab')).toEqual(['must be 3-63 characters long (has 2)']);
    expect(bucketNameProblems('192.168.1.1')).toEqual(['must not be formatted as an IP address']);
    expect(bucketNameProblems('xn--bucket')).toEqual(["must not start with the reserved prefixes 'xn--' or 'sthree-'"]);
    expect(bucketNameProblems('-Ab')).toEqual([
      "must contain only lowercase letters, digits, '.' and '-'",
      'must start and end with a letter or digit',
    ]);
    expect(bucketNameProblems('mlflow-artifacts')).toEqual([]);
  });
});
