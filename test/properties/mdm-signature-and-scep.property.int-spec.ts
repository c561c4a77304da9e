import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import {
  authenticateMdmRequest,
  CmsSigner,
  createScepRequest,
  encodePlist,
  generateTenantCa,
  MdmAuthError,
  ScepError,
  ScepServer,
  type ScepCa,
  type ScepCsrRequest,
} from '#libs/apple';
import { createTestPki, type TestPki } from '../../libs/apple/src/mdm/mdm-test-pki.js';
import { mutate, mutationArbitrary, propertySettings, strangerBytes } from './fast-check-settings.js';

/*
 * Issue 8.3, in-process: Mdm-Signature verification and the SCEP PKIOperation parser. Arbitrary
 * bytes and mutated valid messages are refused with the module's own error (a 400 at the edge),
 * never authenticate, and never reach the issuing decision.
 */

const UDID = '00008110-000A1B2C3D4E5F60';
let pki: TestPki;
let caPem: string;
let body: Buffer;
let signature: Buffer;

beforeAll(() => {
  pki = createTestPki('mdm-sig-properties');
  pki.ca('ca', 'Rempart Property CA');
  pki.issue('device', 'ca', `/CN=${UDID}/O=Rempart test`);
  caPem = pki.read('ca.pem');
  const signer = new CmsSigner({
    certificatePem: pki.read('device.pem'),
    privateKeyPem: pki.read('device.key'),
  });
  body = encodePlist({ MessageType: 'Authenticate', Topic: 'com.apple.mgmt.External.x', UDID });
  signature = signer.signDetached(body);
});
afterAll(() => pki.cleanup());

/** True when the request authenticates; false for an MdmAuthError; anything else fails the property. */
function authenticates(request: {
  body: Buffer;
  mdmSignature?: string;
  clientCertificatePem?: string;
}): boolean {
  try {
    authenticateMdmRequest({ ...request, trustedCaPems: [caPem] });
    return true;
  } catch (error) {
    if (error instanceof MdmAuthError) return false;
    throw error;
  }
}

describe('properties of Mdm-Signature verification', () => {
  it('the valid request authenticates (so that the refusals below mean something)', () => {
    expect(authenticates({ body, mdmSignature: signature.toString('base64') })).toBe(true);
  });

  it('never authenticates arbitrary signatures, headers or client certificates', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          strangerBytes.map((bytes) => ({ mdmSignature: bytes.toString('base64') })),
          fc.string({ maxLength: 300 }).map((text) => ({ mdmSignature: text })),
          fc.string({ maxLength: 300 }).map((text) => ({ clientCertificatePem: text })),
          strangerBytes.map((bytes) => ({
            clientCertificatePem: `-----BEGIN CERTIFICATE-----\n${bytes.toString('base64')}\n-----END CERTIFICATE-----`,
          })),
        ),
        (headers) => {
          expect(authenticates({ body, ...headers })).toBe(false);
        },
      ),
      propertySettings(),
    );
  });

  it('refuses the valid signature over a body with any byte changed', () => {
    fc.assert(
      fc.property(mutationArbitrary, (mutation) => {
        const changed = mutate(body, mutation);
        fc.pre(!changed.equals(body));
        expect(authenticates({ body: changed, mdmSignature: signature.toString('base64') })).toBe(false);
      }),
      propertySettings(),
    );
  });

  it('refuses the valid body with any byte of its signature changed', () => {
    fc.assert(
      fc.property(mutationArbitrary, (mutation) => {
        const changed = mutate(signature, mutation);
        fc.pre(!changed.equals(signature));
        expect(authenticates({ body, mdmSignature: changed.toString('base64') })).toBe(false);
      }),
      propertySettings(),
    );
  });
});

describe('properties of the SCEP PKIOperation parser', () => {
  const scep = new ScepServer({ defaultValidityDays: 30 });
  let ca: ScepCa;
  let valid: Buffer;
  let validCsrPem: string;

  beforeAll(async () => {
    const generated = await generateTenantCa({ tenantName: 'Propriétés', tenantSlug: 'proprietes' });
    ca = { certificatePem: generated.caCertificatePem, privateKeyPem: generated.caPrivateKeyPem };
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    valid = createScepRequest({
      recipientCertificates: [ca.certificatePem],
      privateKey,
      subject: [['CN', 'property-device']],
      challengePassword: 'challenge-0001',
    }).message;
    const seen: ScepCsrRequest[] = [];
    await scep.pkiOperation(valid, ca, async (request) => {
      seen.push(request);
      return { issue: false, failInfo: 'badRequest', reason: 'property baseline' };
    });
    expect(seen).toHaveLength(1);
    validCsrPem = seen[0].csrPem;
  });

  /** Runs a PKIOperation; fails the property on any error but ScepError. Returns what reached `decide`. */
  async function decisionsFor(message: Buffer): Promise<ScepCsrRequest[]> {
    const reached: ScepCsrRequest[] = [];
    try {
      const response = await scep.pkiOperation(message, ca, async (request) => {
        reached.push(request);
        return { issue: false, failInfo: 'badRequest', reason: 'property run' };
      });
      expect(response.outcome.status).toBe('FAILURE');
    } catch (error) {
      if (!(error instanceof ScepError)) throw error;
      expect(error.httpStatus).toBeLessThan(500);
    }
    return reached;
  }

  it('answers arbitrary bytes with a ScepError or a FAILURE reply, never reaching the decision', async () => {
    await fc.assert(
      fc.asyncProperty(strangerBytes, async (bytes) => {
        expect(await decisionsFor(bytes)).toEqual([]);
      }),
      propertySettings(),
    );
  });

  it('never lets a mutated request reach the decision with another CSR than the one the requester signed', async () => {
    await fc.assert(
      fc.asyncProperty(mutationArbitrary, async (mutation) => {
        const reached = await decisionsFor(mutate(valid, mutation));
        for (const request of reached) expect(request.csrPem).toBe(validCsrPem);
      }),
      propertySettings(),
    );
  });

  it('reads operation and message parameters of any shape without an error other than ScepError', () => {
    const query = fc.dictionary(
      fc.constantFrom('operation', 'message', 'Operation', 'other'),
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom('PKIOperation', 'GetCACert', 'GetCACaps', 'GetNextCACert', 'pkioperation'),
        fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
        strangerBytes.map((bytes) => bytes.toString('base64')),
      ),
    );
    fc.assert(
      fc.property(query, fc.option(strangerBytes, { nil: undefined }), (q, bytes) => {
        try {
          scep.parseOperationRequest(q, bytes);
        } catch (error) {
          if (!(error instanceof ScepError)) throw error;
        }
      }),
      propertySettings(),
    );
  });
});
