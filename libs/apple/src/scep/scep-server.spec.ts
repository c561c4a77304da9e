import { execFile, spawnSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CmsSigner } from '../signing/cms-signer.js';
import { contentBytes, octetString, parseTlv, tlvBytes } from '../asn1/der.js';
import { generateTenantSigningIdentity } from '../pki/tenant-signing-identity.js';
import {
  createScepRequest,
  describeScepCaProblems,
  readCertRep,
  ScepError,
  scepErrorResponse,
  ScepServer,
  type ScepCa,
  type ScepCsrRequest,
  type ScepDecision,
  type ScepOutcome,
  type ScepPkiOperationResult,
} from './index.js';
import { requireTool } from '../../../../test/support/tools.js';

const CHALLENGE = 'rempart-enrol-0042';
const tmp = mkdtempSync(path.join(tmpdir(), 'rempart-scep-'));
const file = (name: string): string => path.join(tmp, name);

function openssl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function mustOpenssl(args: string[]): string {
  const result = openssl(args);
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Runs Debian's micromdm scepclient asynchronously (the SCEP server lives in this process). */
function scepclient(args: string[]): Promise<{ code: number; output: string }> {
  requireTool('scepclient');
  return new Promise((resolve) => {
    execFile('scepclient', args, { timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const CA_EXTENSIONS = [
  '-addext',
  'basicConstraints=critical,CA:TRUE',
  '-addext',
  'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign',
];

let singleCa: ScepCa;
let chainedCa: ScepCa;
let tenantCa: ScepCa;
let server: Server;
let baseUrl: string;
const outcomes: ScepOutcome[] = [];
const decisions: ScepCsrRequest[] = [];
const scep = new ScepServer({ defaultValidityDays: 30 });

async function decide(request: ScepCsrRequest): Promise<ScepDecision> {
  decisions.push(request);
  if (request.messageType === 'RenewalReq') {
    return request.signerIssuedByCa
      ? { issue: true, validityDays: 60 }
      : {
          issue: false,
          failInfo: 'badCertId',
          reason: 'renewal must be signed by a certificate from this CA',
        };
  }
  if (request.challengePassword !== CHALLENGE) {
    return { issue: false, failInfo: 'badRequest', reason: 'wrong or missing challenge' };
  }
  return { issue: true };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

beforeAll(async () => {
  // A self-signed SCEP CA, and a root → issuing-CA pair for the chain case, made with openssl.
  // prettier-ignore
  mustOpenssl([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'),
    '-days', '30', '-subj', '/O=Rempart/CN=Rempart SCEP CA (tests)', ...CA_EXTENSIONS,
  ]);
  // prettier-ignore
  mustOpenssl([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('root.key'), '-out', file('root.pem'),
    '-days', '30', '-subj', '/O=Rempart/CN=Rempart Root (tests)', '-addext',
    'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  // prettier-ignore
  mustOpenssl([
    'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('issuing.key'), '-out',
    file('issuing.csr'), '-subj', '/O=Rempart/CN=Rempart Issuing CA (tests)',
  ]);
  writeFileSync(
    file('issuing.ext'),
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  // prettier-ignore
  mustOpenssl([
    'x509', '-req', '-in', file('issuing.csr'), '-CA', file('root.pem'), '-CAkey', file('root.key'),
    '-CAcreateserial', '-days', '30', '-extfile', file('issuing.ext'), '-out', file('issuing.pem'),
  ]);
  singleCa = {
    certificatePem: readFileSync(file('ca.pem'), 'utf8'),
    privateKeyPem: readFileSync(file('ca.key'), 'utf8'),
  };
  chainedCa = {
    certificatePem: readFileSync(file('issuing.pem'), 'utf8'),
    privateKeyPem: readFileSync(file('issuing.key'), 'utf8'),
    chainPem: [readFileSync(file('root.pem'), 'utf8')],
  };
  const tenant = await generateTenantSigningIdentity({ tenantName: 'DINUM', tenantSlug: 'dinum' });
  tenantCa = { certificatePem: tenant.caCertificatePem, privateKeyPem: tenant.caPrivateKeyPem };

  // The mount point Rempart's mdm process will have: /{tenant}/scep?operation=…
  server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const ca = url.pathname.startsWith('/chained/') ? chainedCa : singleCa;
      try {
        const body = await readBody(request);
        const result = await scep.handle(
          { method: request.method ?? 'GET', query: Object.fromEntries(url.searchParams), body },
          ca,
          decide,
        );
        if (result.outcome) outcomes.push(result.outcome);
        response.writeHead(result.status, { 'content-type': result.contentType }).end(result.body);
      } catch (error) {
        const answer =
          error instanceof ScepError
            ? scepErrorResponse(error)
            : { status: 500, contentType: 'text/plain', body: Buffer.from('internal error') };
        response.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

function clientDir(name: string): string {
  const dir = file(name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('ScepServer with micromdm scepclient', () => {
  it('scepclient enrolls with the right challenge, and the issued certificate verifies with `openssl verify -CAfile ca.pem`', async () => {
    const dir = clientDir('enrol');
    const before = outcomes.length;
    // prettier-ignore
    const run = await scepclient([
      '-server-url', `${baseUrl}/dinum/scep`, '-challenge', CHALLENGE, '-private-key',
      path.join(dir, 'key'), '-certificate', path.join(dir, 'cert.pem'), '-cn', 'iPhone de Camille',
      '-organization', 'DINUM', '-ou', 'MDM', '-country', 'FR',
    ]);
    expect(run).toEqual(expect.objectContaining({ code: 0 }));

    const verify = openssl([
      'verify',
      '-CAfile',
      file('ca.pem'),
      '-purpose',
      'sslclient',
      path.join(dir, 'cert.pem'),
    ]);
    expect(verify.stdout).toContain('OK');
    expect(verify.status).toBe(0);

    const cert = new X509Certificate(readFileSync(path.join(dir, 'cert.pem')));
    expect(cert.subject.split('\n')).toEqual(['C=FR', 'O=DINUM', 'OU=MDM', 'CN=iPhone de Camille']);
    expect(cert.checkIssued(new X509Certificate(singleCa.certificatePem))).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Date(cert.validTo).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const text = mustOpenssl(['x509', '-in', path.join(dir, 'cert.pem'), '-noout', '-text']);
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Client Authentication/);
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);

    const outcome = outcomes[outcomes.length - 1];
    expect(outcomes.length).toBe(before + 1);
    expect(outcome).toEqual(
      expect.objectContaining({
        status: 'SUCCESS',
        messageType: 'PKCSReq',
        subject: 'CN=iPhone de Camille,OU=MDM,O=DINUM,C=FR',
      }),
    );
    expect(new X509Certificate(outcome.certificatePem!).raw.equals(cert.raw)).toBe(true);
    const seen = decisions[decisions.length - 1];
    expect(seen).toEqual(
      expect.objectContaining({
        messageType: 'PKCSReq',
        challengePassword: CHALLENGE,
        keyBits: 2048,
        signerIssuedByCa: false,
      }),
    );
    expect(seen.subjectAttributes.find((a) => a.type === 'CN')?.value).toBe('iPhone de Camille');
    expect(seen.transactionId).toBe(outcome.transactionId);

    // Renewal: same key (and the csr.pem scepclient kept), the issued certificate signs a RenewalReq.
    // prettier-ignore
    const renewal = await scepclient([
      '-server-url', `${baseUrl}/dinum/scep`, '-private-key', path.join(dir, 'key'), '-certificate',
      path.join(dir, 'cert.pem'), '-cn', 'iPhone de Camille', '-organization', 'DINUM',
    ]);
    expect(renewal).toEqual(expect.objectContaining({ code: 0 }));
    const renewed = new X509Certificate(readFileSync(path.join(dir, 'cert.pem')));
    expect(renewed.serialNumber).not.toBe(cert.serialNumber);
    expect(outcomes[outcomes.length - 1]).toEqual(
      expect.objectContaining({ status: 'SUCCESS', messageType: 'RenewalReq' }),
    );
    expect(decisions[decisions.length - 1]).toEqual(
      expect.objectContaining({ messageType: 'RenewalReq', signerIssuedByCa: true }),
    );
    expect(openssl(['verify', '-CAfile', file('ca.pem'), path.join(dir, 'cert.pem')]).status).toBe(0);
  });

  it('a wrong challenge makes scepclient fail, and the outcome is FAILURE badRequest', async () => {
    const dir = clientDir('wrong-challenge');
    const before = outcomes.length;
    // prettier-ignore
    const run = await scepclient([
      '-server-url', `${baseUrl}/dinum/scep`, '-challenge', 'not-the-challenge', '-private-key',
      path.join(dir, 'key'), '-certificate', path.join(dir, 'cert.pem'), '-cn', 'intrus',
    ]);
    expect(run.code).not.toBe(0);
    // scepclient verified and parsed our signed CertRep, and reports its failInfo.
    expect(run.output).toContain('failInfo: badRequest (2)');
    expect(outcomes.length).toBe(before + 1);
    expect(outcomes[outcomes.length - 1]).toEqual(
      expect.objectContaining({
        status: 'FAILURE',
        failInfo: 'badRequest',
        reason: 'wrong or missing challenge',
      }),
    );
  });

  it('a 1024-bit key (scepclient -keySize 1024) gets FAILURE badAlg without reaching decide', async () => {
    const dir = clientDir('weak');
    const decided = decisions.length;
    // prettier-ignore
    const run = await scepclient([
      '-server-url', `${baseUrl}/dinum/scep`, '-challenge', CHALLENGE, '-keySize', '1024', '-private-key',
      path.join(dir, 'key'), '-certificate', path.join(dir, 'cert.pem'), '-cn', 'faible',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('failInfo: badAlg (0)');
    expect(outcomes[outcomes.length - 1]).toEqual(
      expect.objectContaining({
        status: 'FAILURE',
        failInfo: 'badAlg',
        reason: expect.stringContaining('RSA-1024'),
      }),
    );
    expect(decisions.length).toBe(decided);
  });

  it('scepclient enrols with an issuing CA whose GetCACert is the chain (x509-ca-ra-cert) and encrypts to both certificates', async () => {
    const dir = clientDir('chained');
    // prettier-ignore
    const run = await scepclient([
      '-server-url', `${baseUrl}/chained/scep`, '-challenge', CHALLENGE, '-private-key',
      path.join(dir, 'key'), '-certificate', path.join(dir, 'cert.pem'), '-cn', 'poste-42',
    ]);
    expect(run).toEqual(expect.objectContaining({ code: 0 }));
    const verify = openssl([
      'verify',
      '-CAfile',
      file('root.pem'),
      '-untrusted',
      file('issuing.pem'),
      path.join(dir, 'cert.pem'),
    ]);
    expect(verify.status).toBe(0);
  });
});

describe('ScepServer over HTTP', () => {
  it('GetCACaps and GetCACert answer with the SCEP content types', async () => {
    const caps = await fetch(`${baseUrl}/dinum/scep?operation=GetCACaps`);
    expect(caps.status).toBe(200);
    expect(caps.headers.get('content-type')).toBe('text/plain');
    const capList = (await caps.text()).split('\n');
    expect(capList).toEqual(
      expect.arrayContaining(['POSTPKIOperation', 'SHA-256', 'AES', 'SCEPStandard', 'Renewal']),
    );

    const single = await fetch(`${baseUrl}/dinum/scep?operation=GetCACert&message=any`);
    expect(single.headers.get('content-type')).toBe('application/x-x509-ca-cert');
    const der = Buffer.from(await single.arrayBuffer());
    expect(der.equals(new X509Certificate(singleCa.certificatePem).raw)).toBe(true);

    const chained = await fetch(`${baseUrl}/chained/scep?operation=GetCACert`);
    expect(chained.headers.get('content-type')).toBe('application/x-x509-ca-ra-cert');
    writeFileSync(file('chain.p7b'), Buffer.from(await chained.arrayBuffer()));
    // prettier-ignore
    const printed = mustOpenssl([
      'pkcs7', '-inform', 'DER', '-in', file('chain.p7b'), '-print_certs', '-noout',
    ]);
    expect(printed.match(/subject=.*Issuing CA[\s\S]*subject=.*Root/)).not.toBeNull();
  });

  it('unknown operations, other methods and garbage messages are 4xx answers, not crashes', async () => {
    expect((await fetch(`${baseUrl}/dinum/scep?operation=Nope`)).status).toBe(400);
    expect((await fetch(`${baseUrl}/dinum/scep`)).status).toBe(400);
    expect((await fetch(`${baseUrl}/dinum/scep?operation=GetCACaps`, { method: 'PUT' })).status).toBe(405);
    expect((await fetch(`${baseUrl}/dinum/scep?operation=GetNextCACert`)).status).toBe(501);
    expect((await fetch(`${baseUrl}/dinum/scep?operation=PKIOperation`)).status).toBe(400);
    expect((await fetch(`${baseUrl}/dinum/scep?operation=PKIOperation&message=%%%`)).status).toBe(400);
    const garbage = await fetch(`${baseUrl}/dinum/scep?operation=PKIOperation`, {
      method: 'POST',
      body: Buffer.from('30820100deadbeef', 'hex'),
    });
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toMatch(/not a SCEP pkiMessage/);
  });

  it('GET PKIOperation takes a URL-encoded base64 message (also with + decoded as space, or base64url)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const request = createScepRequest({
      recipientCertificates: [singleCa.certificatePem],
      privateKey,
      subject: [['CN', 'get-client']],
      challengePassword: CHALLENGE,
    });
    const b64 = request.message.toString('base64');
    const response = await fetch(
      `${baseUrl}/dinum/scep?operation=PKIOperation&message=${encodeURIComponent(b64)}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-pki-message');
    const rep = readCertRep(Buffer.from(await response.arrayBuffer()), {
      privateKey,
      signerCertificatePem: request.signerCertificatePem,
      caCertificatePem: singleCa.certificatePem,
    });
    expect(rep).toEqual(expect.objectContaining({ status: 'SUCCESS', signatureValid: true }));

    for (const variant of [
      b64.replace(/\+/g, ' '),
      b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
    ]) {
      const parsed = scep.parseOperationRequest({ operation: 'PKIOperation', message: variant });
      expect(parsed.message!.equals(request.message)).toBe(true);
    }
  });
});

describe('ScepServer in process', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issue = async (): Promise<ScepDecision> => ({ issue: true });

  it('CertRep SUCCESS echoes transactionID and senderNonce, verifies with `openssl cms -verify`, and decrypts with `openssl cms -decrypt`', async () => {
    for (const cipher of ['aes-128-cbc', 'aes-256-cbc', 'des-ede3-cbc'] as const) {
      const request = createScepRequest({
        recipientCertificates: [singleCa.certificatePem],
        privateKey,
        subject: [
          ['O', 'Rempart'],
          ['CN', `cipher ${cipher}`],
        ],
        challengePassword: CHALLENGE,
        cipher,
        hash: cipher === 'des-ede3-cbc' ? 'sha1' : 'sha256',
      });
      const result = await scep.pkiOperation(request.message, singleCa, decide);
      expect(result.outcome.status).toBe('SUCCESS');
      const rep = readCertRep(result.body, {
        privateKey,
        signerCertificatePem: request.signerCertificatePem,
        caCertificatePem: singleCa.certificatePem,
      });
      expect(rep.status).toBe('SUCCESS');
      expect(rep.signatureValid).toBe(true);
      expect(rep.transactionId).toBe(request.transactionId);
      expect(rep.recipientNonce!.equals(request.senderNonce)).toBe(true);
      expect(rep.senderNonce).toHaveLength(16);
      expect(rep.certificatePems).toEqual([result.outcome.certificatePem]);

      // OpenSSL as an independent CMS implementation: the signature, then the envelope.
      writeFileSync(file('certrep.der'), result.body);
      writeFileSync(file('requester.pem'), request.signerCertificatePem);
      writeFileSync(file('requester.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      // prettier-ignore
      mustOpenssl([
        'cms', '-verify', '-inform', 'DER', '-in', file('certrep.der'), '-CAfile', file('ca.pem'),
        '-purpose', 'any', '-out', file('envelope.der'),
      ]);
      // prettier-ignore
      mustOpenssl([
        'cms', '-decrypt', '-inform', 'DER', '-in', file('envelope.der'), '-recip', file('requester.pem'),
        '-inkey', file('requester.key'), '-out', file('degenerate.der'),
      ]);
      const printed = mustOpenssl(['pkcs7', '-inform', 'DER', '-in', file('degenerate.der'), '-print_certs']);
      expect(printed).toContain(`CN = cipher ${cipher}`);
    }
  });

  it('garbage PKIOperation messages throw ScepError 400', async () => {
    const valid = createScepRequest({
      recipientCertificates: [singleCa.certificatePem],
      privateKey,
      subject: [['CN', 'x']],
    }).message;
    const signedProfile = new CmsSigner({
      certificatePem: singleCa.certificatePem,
      privateKeyPem: singleCa.privateKeyPem,
    }).sign(Buffer.from('<plist/>'));
    const inputs = [
      Buffer.alloc(0),
      Buffer.from('hello world'),
      Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0x30, 0x80, 0x30, 0x80]),
      Buffer.alloc(200, 0x30),
      valid.subarray(0, valid.length - 10),
      Buffer.concat([valid, Buffer.from([0])]),
      signedProfile, // valid CMS SignedData, but no SCEP attributes
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff)),
    ];
    for (const input of inputs) {
      const error = await scep.pkiOperation(input, singleCa, issue).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScepError);
      expect((error as ScepError).httpStatus).toBe(400);
    }
    const tooLarge = await scep
      .pkiOperation(Buffer.alloc(200_000, 1), singleCa, issue)
      .catch((e: unknown) => e);
    expect((tooLarge as ScepError).httpStatus).toBe(413);
  });

  it('tampered, misaddressed or refused requests get a signed CertRep FAILURE with the right failInfo', async () => {
    const base = {
      privateKey,
      subject: [['CN', 'device']] as [string, string][],
      challengePassword: CHALLENGE,
    };
    const statusOf = async (message: Buffer, decider = decide): Promise<ScepOutcome> => {
      const result = await scep.pkiOperation(message, singleCa, decider);
      const rep = readCertRep(result.body, { caCertificatePem: singleCa.certificatePem });
      expect(rep.signatureValid).toBe(true);
      expect(rep.status).toBe(result.outcome.status);
      expect(rep.failInfo).toBe(result.outcome.failInfo);
      return result.outcome;
    };

    // The request signature no longer matches (last byte of the signature flipped).
    const tampered = Buffer.from(
      createScepRequest({ recipientCertificates: [singleCa.certificatePem], ...base }).message,
    );
    tampered[tampered.length - 1] ^= 0x01;
    expect(await statusOf(tampered)).toEqual(
      expect.objectContaining({ status: 'FAILURE', failInfo: 'badMessageCheck' }),
    );

    // Encrypted to another CA.
    const other = createScepRequest({ recipientCertificates: [tenantCa.certificatePem], ...base }).message;
    expect(await statusOf(other)).toEqual(
      expect.objectContaining({ status: 'FAILURE', failInfo: 'badMessageCheck' }),
    );

    // decide refuses with its own failInfo.
    const refused = createScepRequest({ recipientCertificates: [singleCa.certificatePem], ...base }).message;
    expect(
      await statusOf(refused, async () => ({ issue: false, failInfo: 'badTime', reason: 'device blocked' })),
    ).toEqual(expect.objectContaining({ status: 'FAILURE', failInfo: 'badTime', reason: 'device blocked' }));

    // A RenewalReq signed by a self-signed certificate.
    const renewal = createScepRequest({
      recipientCertificates: [singleCa.certificatePem],
      ...base,
      messageType: 'RenewalReq',
    }).message;
    expect(await statusOf(renewal)).toEqual(
      expect.objectContaining({ status: 'FAILURE', failInfo: 'badCertId' }),
    );
  });

  it('a streamed BER request (indefinite lengths, chunked eContent) encrypted to root and issuing CA is issued', async () => {
    const request = createScepRequest({
      recipientCertificates: [chainedCa.chainPem![0], chainedCa.certificatePem],
      privateKey,
      subject: [['CN', 'ber-client']],
      challengePassword: CHALLENGE,
    });
    const indefinite = (tag: number, ...parts: Buffer[]): Buffer =>
      Buffer.concat([Buffer.from([tag, 0x80]), ...parts, Buffer.from([0, 0])]);
    // Re-encode the outer layers as a streaming CMS encoder would; signed attributes stay DER.
    const contentInfo = parseTlv(request.message);
    const [type, wrapper] = contentInfo.children;
    const [version, digests, encapsulated, certificates, signerInfos] = wrapper.children[0].children;
    const [eType, eContent] = encapsulated.children;
    const envelope = contentBytes(eContent.children[0]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < envelope.length; i += 100) chunks.push(octetString(envelope.subarray(i, i + 100)));
    const ber = indefinite(
      0x30,
      tlvBytes(type),
      indefinite(
        0xa0,
        indefinite(
          0x30,
          tlvBytes(version),
          tlvBytes(digests),
          indefinite(0x30, tlvBytes(eType), indefinite(0xa0, indefinite(0x24, ...chunks))),
          tlvBytes(certificates),
          tlvBytes(signerInfos),
        ),
      ),
    );
    const result = await scep.pkiOperation(ber, chainedCa, decide);
    expect(result.outcome).toEqual(expect.objectContaining({ status: 'SUCCESS', subject: 'CN=ber-client' }));
  });

  it('randomly corrupted requests and CSRs never crash: each is a ScepError 400 or a signed CertRep', async () => {
    const request = createScepRequest({
      recipientCertificates: [singleCa.certificatePem],
      privateKey,
      subject: [['CN', 'fuzz']],
      challengePassword: CHALLENGE,
    });
    let seed = 0x5ce9;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const corrupt = (bytes: Buffer): Buffer => {
      const mutated = Buffer.from(bytes);
      const flips = 1 + Math.floor(random() * 4);
      for (let i = 0; i < flips; i++)
        mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      return mutated;
    };
    const seen = { scepError: 0, failure: 0, success: 0 };
    for (let round = 0; round < 160; round++) {
      // Even rounds corrupt the whole message; odd rounds send a well-signed message around a corrupted CSR.
      const message =
        round % 2 === 0
          ? corrupt(request.message)
          : createScepRequest({
              recipientCertificates: [singleCa.certificatePem],
              privateKey,
              subject: [['CN', 'fuzz']],
              signerCertificatePem: request.signerCertificatePem,
              csrDer: corrupt(request.csrDer),
            }).message;
      const result = await scep.pkiOperation(message, singleCa, issue).catch((error: unknown) => error);
      if (result instanceof ScepError) {
        expect(result.httpStatus).toBe(400);
        seen.scepError++;
        continue;
      }
      const { body, outcome } = result as ScepPkiOperationResult;
      expect(outcome.reason ?? '').not.toMatch(/^unreadable request/); // the safety net is not needed
      const rep = readCertRep(body, {
        privateKey,
        signerCertificatePem: request.signerCertificatePem,
        caCertificatePem: singleCa.certificatePem,
      });
      expect(rep.signatureValid).toBe(true);
      expect(rep.status).toBe(outcome.status);
      seen[outcome.status === 'SUCCESS' ? 'success' : 'failure']++;
    }
    expect(seen.scepError).toBeGreaterThan(0);
    expect(seen.failure).toBeGreaterThan(0);
  });

  it('a misconfigured CA is a ScepError 500, and the tenant CA is fit for SCEP', async () => {
    const broken = { ...singleCa, privateKeyPem: tenantCa.privateKeyPem };
    const error = await scep.pkiOperation(Buffer.from('x'), broken, decide).catch((e: unknown) => e);
    expect(error).toEqual(expect.objectContaining({ code: 'CA_MISCONFIGURED', httpStatus: 500 }));
    expect(() => scep.getCaCert(broken)).toThrow(ScepError);

    expect(describeScepCaProblems(singleCa)).toEqual([]);
    expect(describeScepCaProblems(tenantCa)).toEqual([]);
  });
});
