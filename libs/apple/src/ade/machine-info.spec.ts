import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { selfSignedDeviceIdentity, TestAppleDeviceCa } from '../../../../test/fakes/apple-device-ca.js';
import { buildSignedData } from '../../../../test/simulators/cms.js';
import { encodePlist } from '../plist/plist-codec.js';
import { parseDeviceCaPem, verifyMachineInfo } from './machine-info.js';

describe('Setup Assistant MachineInfo verification', () => {
  const ca = new TestAppleDeviceCa();
  const trusted = parseDeviceCaPem(ca.certificatePem);
  const plist = encodePlist({
    UDID: '00008120-ABC',
    SERIAL: 'F2LXK0AAHG7F',
    PRODUCT: 'iPhone15,2',
    VERSION: '21F79',
    OS_VERSION: '17.5',
    LANGUAGE: 'fr',
  });
  const sign = (
    identity: { certificatePem: string; privateKeyPem: string },
    options: { digest?: string; signedAttributes?: boolean; content?: Buffer } = {},
  ) =>
    buildSignedData({
      content: options.content ?? plist,
      certificateDer: new X509Certificate(identity.certificatePem).raw,
      privateKey: createPrivateKey(identity.privateKeyPem),
      digest: options.digest,
      signedAttributes: options.signedAttributes,
    });

  it('accepts a device certificate the (expired) device CA signed: SHA-1 or SHA-256, with or without signed attributes', () => {
    for (const certDigest of ['sha1', 'sha256'] as const) {
      const identity = ca.issueDevice('00008120-ABC', certDigest);
      for (const digest of ['sha1', 'sha256']) {
        for (const signedAttributes of [true, false]) {
          expect(verifyMachineInfo(sign(identity, { digest, signedAttributes }), trusted)).toMatchObject({
            serial: 'F2LXK0AAHG7F',
            udid: '00008120-ABC',
            product: 'iPhone15,2',
            osVersion: '17.5',
          });
        }
      }
    }
  });

  it('refuses a self-signed device, an altered plist, garbage and a MachineInfo without its serial', () => {
    expect(() => verifyMachineInfo(sign(selfSignedDeviceIdentity('x')), trusted)).toThrow(
      expect.objectContaining({ code: 'MACHINE_INFO_UNTRUSTED' }),
    );
    const genuine = sign(ca.issueDevice('00008120-ABC'), { signedAttributes: false });
    const altered = Buffer.from(genuine);
    altered[altered.indexOf(Buffer.from('F2LXK0AAHG7F'))] ^= 1;
    expect(() => verifyMachineInfo(altered, trusted)).toThrow(
      expect.objectContaining({ code: 'MACHINE_INFO_BAD_SIGNATURE' }),
    );
    expect(() => verifyMachineInfo(Buffer.from('not cms'), trusted)).toThrow(
      expect.objectContaining({ code: 'MACHINE_INFO_MALFORMED' }),
    );
    const noSerial = encodePlist({ UDID: 'u', PRODUCT: 'p', VERSION: 'v' });
    expect(() => verifyMachineInfo(sign(ca.issueDevice('u'), { content: noSerial }), trusted)).toThrow(
      expect.objectContaining({ code: 'MACHINE_INFO_INCOMPLETE' }),
    );
  });

  it('checks the real Apple iPhone Device CA shipped in vendor/ loads', async () => {
    const { readFileSync } = await import('node:fs');
    const [apple] = parseDeviceCaPem(
      readFileSync(
        new URL('../../../../vendor/apple-ca/apple-iphone-device-ca.pem', import.meta.url),
        'utf8',
      ),
    );
    expect(apple.subject).toMatch(/CN=Apple iPhone Device CA/);
    expect(() => verifyMachineInfo(sign(ca.issueDevice('u')), [apple])).toThrow(
      expect.objectContaining({ code: 'MACHINE_INFO_UNTRUSTED' }),
    );
  });
});
