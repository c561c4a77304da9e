import { createHash, X509Certificate } from 'node:crypto';
import { makeClientCertificate, makePushCertificate } from '../../../../test/support/push-certificate.js';
import { certificateFingerprint, checkPushCredentials, credentialsProblemAt } from './push-credentials.js';

describe('push credentials checked before connecting', () => {
  const push = makePushCertificate();

  it('fingerprints the certificate DER (what the pool keys clients by), ignoring a chain after it', () => {
    const der = new X509Certificate(push.certificatePem).raw;
    const expected = createHash('sha256').update(der).digest('hex');
    expect(certificateFingerprint(push.certificatePem)).toBe(expected);
    expect(certificateFingerprint(`${push.certificatePem}\n${makePushCertificate().certificatePem}`)).toBe(
      expected,
    );
  });

  it('accepts a valid certificate and key', () => {
    const checked = checkPushCredentials(push);
    expect(checked.problem).toBeUndefined();
    expect(credentialsProblemAt(checked, Date.now())).toBeUndefined();
    expect(credentialsProblemAt(checked, checked.notAfterMs + 1)).toBe('ExpiredCertificate');
  });

  it('names a certificate not valid yet', async () => {
    const future = await makeClientCertificate({
      subject: [{ shortName: 'CN', value: 'tomorrow' }],
      notBefore: new Date(Date.now() + 86_400_000),
    });
    expect(credentialsProblemAt(checkPushCredentials(future), Date.now())).toBe('CertificateNotYetValid');
  });

  it('refuses garbage and a key that belongs to another certificate', () => {
    expect(checkPushCredentials({ certificatePem: 'nope', privateKeyPem: push.privateKeyPem }).problem).toBe(
      'InvalidCertificate',
    );
    expect(checkPushCredentials({ certificatePem: push.certificatePem, privateKeyPem: 'nope' }).problem).toBe(
      'InvalidCertificate',
    );
  });
});
