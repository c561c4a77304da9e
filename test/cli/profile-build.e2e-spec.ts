import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseDiscoveryDocument, validateAgainstDiscovery } from '#libs/android';
import { decodePlistDict } from '#libs/apple';
import { cli } from '../support/cli.js';
import { opensslCmsVerify, plistutilRoundTrip } from '../support/openssl.js';
import { readDiscoveryDocument } from '../support/vendor.js';

describe('profile build: offline, on an air-gapped machine', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const savedDatabaseUrl = process.env.DATABASE_URL;

  beforeAll(() => {
    // Nothing listens here: a command that touched the database would fail.
    process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:1/unreachable';
    dir = mkdtempSync(path.join(tmpdir(), 'rempart-profile-build-'));
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '30',
      '-subj',
      '/CN=Offline CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'k.pem',
      '-out',
      'c.csr',
      '-subj',
      '/CN=Offline profile signer',
    );
    writeFileSync(file('ext.cnf'), 'keyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\n');
    run(
      'x509',
      '-req',
      '-in',
      'c.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'c.pem',
      '-days',
      '10',
      '-extfile',
      'ext.cnf',
    );
  });
  afterAll(() => {
    process.env.DATABASE_URL = savedDatabaseUrl;
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds a signed iOS ban profile that openssl verifies and that blocks WhatsApp, Telegram and Signal, not Olvid or Tchap', async () => {
    const result = await cli(
      'profile',
      'build',
      '--list',
      'fr-gov-2023-messaging',
      'fr-gov-2023-messaging-approved',
      '--platform',
      'ios',
      '--sign-cert',
      file('c.pem'),
      '--sign-key',
      file('k.pem'),
      '--out',
      file('ban.mobileconfig'),
    );
    expect(result.code).toBe(0);
    expect(result.err.join('\n')).toMatch(/wrote signed profile/);
    const content = opensslCmsVerify(
      readFileSync(file('ban.mobileconfig')),
      readFileSync(file('ca.pem'), 'utf8'),
    );
    const profile = decodePlistDict(plistutilRoundTrip(content));
    const payload = (profile.PayloadContent as Array<Record<string, unknown>>)[0];
    const blocked = payload.blockedAppBundleIDs as string[];
    expect(blocked).toEqual(
      expect.arrayContaining(['net.whatsapp.WhatsApp', 'ph.telegra.Telegraph', 'org.whispersystems.signal']),
    );
    expect(blocked).not.toEqual(expect.arrayContaining(['io.olvid.messenger']));
    expect(blocked).not.toEqual(expect.arrayContaining(['fr.gouv.tchap']));
  });

  it('builds an unsigned XML profile to stdout without signing options', async () => {
    const result = await cli('profile', 'build', '--list', 'fr-gov-2023-recreational', '--platform', 'ios');
    expect(result.code).toBe(0);
    const profile = decodePlistDict(result.stdout);
    expect(profile.PayloadType).toBe('Configuration');
    expect((profile.PayloadContent as Array<Record<string, unknown>>)[0].blockedAppBundleIDs).toEqual(
      expect.arrayContaining(['com.zhiliaoapp.musically', 'com.burbn.instagram', 'com.netflix.Netflix']),
    );
    // The description phones show names the apps the profile blocks.
    expect(profile.PayloadDescription).toMatch(/Applications bloquées \/ Blocked apps: .*TikTok.*/s);
    expect(profile.PayloadDescription).toMatch(/Instagram/);
  });

  it('builds an Android policy that passes the discovery-document validation', async () => {
    const result = await cli(
      'profile',
      'build',
      '--list',
      'fr-gov-2023-messaging',
      'fr-gov-2023-messaging-approved',
      '--platform',
      'android',
      '--out',
      file('policy.json'),
    );
    expect(result.code).toBe(0);
    const policy = JSON.parse(readFileSync(file('policy.json'), 'utf8'));
    expect(
      validateAgainstDiscovery(policy, 'Policy', parseDiscoveryDocument(readDiscoveryDocument())),
    ).toEqual([]);
    expect(policy.applications).toEqual(
      expect.arrayContaining([{ packageName: 'com.whatsapp', installType: 'BLOCKED' }]),
    );
  });

  it('accepts a list file as well as a shipped slug', async () => {
    writeFileSync(
      file('mine.yaml'),
      'slug: mine\nname: Mine\nkind: block\napps: [tiktok]\nbundleIds: [com.example.Game]\n',
    );
    const result = await cli('profile', 'build', '--list', file('mine.yaml'), '--platform', 'ios');
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toContain('com.example.Game');
  });

  it.each([
    [
      ['--list', 'no-such-list', '--platform', 'ios'],
      /--list no-such-list: neither a file nor a shipped list/,
    ],
    [
      ['--list', 'fr-gov-2023-messaging', '--platform', 'ios', '--sign-cert', 'c.pem'],
      /--sign-cert and --sign-key go together/,
    ],
    [
      [
        '--list',
        'fr-gov-2023-messaging',
        '--platform',
        'ios',
        '--sign-cert',
        '/nonexistent.pem',
        '--sign-key',
        '/nonexistent.key',
      ],
      /cannot read certificate \/nonexistent\.pem/,
    ],
    [['--list', 'BAD_FILE.yaml', '--platform', 'ios'], /neither a file nor a shipped list/],
  ])('refuses %j with one line on stderr', async (args, message) => {
    const result = await cli('profile', 'build', ...args);
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(message);
  });

  it('names the culprit in a bad list file', async () => {
    writeFileSync(
      file('bad.yaml'),
      'slug: bad\nname: Bad\nkind: block\napps: [whatsapp]\nbundleIds: ["not valid"]\n',
    );
    const result = await cli('profile', 'build', '--list', file('bad.yaml'), '--platform', 'ios');
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/not valid/);
  });

  it('refuses a key that does not match the certificate', async () => {
    const result = await cli(
      'profile',
      'build',
      '--list',
      'fr-gov-2023-messaging',
      '--platform',
      'ios',
      '--sign-cert',
      file('ca.pem'),
      '--sign-key',
      file('k.pem'),
    );
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/match|key/i);
  });
});
