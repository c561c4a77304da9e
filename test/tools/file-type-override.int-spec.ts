import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FileTypeValidator } from '@nestjs/common';
import { REPO_ROOT } from '../support/vendor.js';

/**
 * package.json pins file-type (a dependency of @nestjs/common) under "overrides" to a release that
 * supports Node.js 20; these scenarios show Nest's upload validation still detects types with it.
 */
describe('file-type pinned for Node.js 20', () => {
  const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const png = Buffer.concat([
    pngSignature,
    Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
  ]);
  const upload = (buffer: Buffer, mimetype: string) => ({ mimetype, size: buffer.length, buffer });

  it('is the pinned release, whose engines accept the Node.js running the tests', () => {
    // npm nests it under @nestjs/common today; hoisted is as good.
    const manifest = ['node_modules/@nestjs/common/node_modules', 'node_modules']
      .map((dir) => path.join(REPO_ROOT, dir, 'file-type/package.json'))
      .find((file) => existsSync(file));
    expect(manifest).toBeDefined();
    const installed = JSON.parse(readFileSync(manifest as string, 'utf8')) as {
      version: string;
      engines: { node: string };
    };
    const pinned = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        overrides: Record<string, string>;
      }
    ).overrides['file-type'];
    expect(installed.version).toBe(pinned);
    const minimumMajor = Number(/^>=(\d+)/.exec(installed.engines.node)?.[1]);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(minimumMajor);
  });

  it("accepts an upload whose bytes are a PNG when PNG is expected (Nest's magic-number check)", async () => {
    const validator = new FileTypeValidator({ fileType: 'image/png' });
    await expect(validator.isValid(upload(png, 'image/png'))).resolves.toBe(true);
  });

  it('refuses an upload that claims to be a PNG but whose bytes are text', async () => {
    const validator = new FileTypeValidator({ fileType: 'image/png' });
    const text = Buffer.from('this is no image, whatever its name says\n');
    await expect(validator.isValid(upload(text, 'image/png'))).resolves.toBe(false);
  });
});
