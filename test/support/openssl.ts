import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireTool } from './tools.js';

/** Verifies DER CMS SignedData with `openssl cms -verify` against a CA; returns the signed content. */
export function opensslCmsVerify(signed: Buffer, caPem: string): Buffer {
  requireTool('openssl');
  const dir = mkdtempSync(path.join(tmpdir(), 'rempart-cms-'));
  try {
    writeFileSync(path.join(dir, 'signed.der'), signed);
    writeFileSync(path.join(dir, 'ca.pem'), caPem);
    execFileSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-inform',
        'DER',
        '-in',
        'signed.der',
        '-CAfile',
        'ca.pem',
        '-purpose',
        'any',
        '-out',
        'content',
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return readFileSync(path.join(dir, 'content'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Parses a plist with libplist's `plistutil` (an implementation independent of ours): XML to binary and
 * back. Returns libplist's own XML rendering, which fails to exist if libplist could not parse ours.
 */
export function plistutilRoundTrip(plist: Buffer): Buffer {
  requireTool('plistutil');
  const dir = mkdtempSync(path.join(tmpdir(), 'rempart-plist-'));
  try {
    writeFileSync(path.join(dir, 'in.plist'), plist);
    execFileSync('plistutil', ['-i', 'in.plist', '-o', 'out.bplist', '-f', 'bin'], {
      cwd: dir,
      stdio: 'pipe',
    });
    execFileSync('plistutil', ['-i', 'out.bplist', '-o', 'out.plist', '-f', 'xml'], {
      cwd: dir,
      stdio: 'pipe',
    });
    return readFileSync(path.join(dir, 'out.plist'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
