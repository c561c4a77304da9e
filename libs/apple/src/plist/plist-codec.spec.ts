import { describe, expect, it } from '@jest/globals';
import { decodePlist, decodePlistDict, encodePlist, PlistError, type PlistErrorCode } from './plist-codec.js';

function refusal(fn: () => unknown): { code: PlistErrorCode; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PlistError);
    const { code, message } = error as PlistError;
    return { code, message };
  }
  throw new Error('expected a PlistError');
}

const HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';

describe('encodePlist / decodePlist', () => {
  it('round-trips every plist type', () => {
    const value = {
      string: 'Applications interdites — Tchap ✓',
      integer: 42,
      real: 2.5,
      yes: true,
      no: false,
      date: new Date('2023-12-08T00:00:00Z'),
      data: new Uint8Array([0, 1, 2, 255]),
      list: ['a', 1, { nested: ['x'] }],
      empty: {},
    };
    const decoded = decodePlist(encodePlist(value));
    expect(decoded).toEqual({ ...value, data: expect.any(Uint8Array) });
    expect(Buffer.from((decoded as { data: Uint8Array }).data)).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('writes dictionary keys in canonical order, whatever order the object was built in', () => {
    const a = encodePlist({ b: 1, a: { z: true, y: false }, c: ['x'] });
    const b = encodePlist({ c: ['x'], a: { y: false, z: true }, b: 1 });
    expect(a.equals(b)).toBe(true);
    const text = a.toString('utf8');
    expect(text.indexOf('<key>a</key>')).toBeLessThan(text.indexOf('<key>b</key>'));
    expect(text.indexOf('<key>y</key>')).toBeLessThan(text.indexOf('<key>z</key>'));
    expect(text.startsWith(HEADER)).toBe(true);
  });

  it('refuses values a plist cannot carry instead of silently dropping or corrupting them', () => {
    expect(refusal(() => encodePlist({ n: Number.NaN })).code).toBe('UNENCODABLE');
    expect(refusal(() => encodePlist([1, null, 2])).message).toMatch(/\$\[1\]: null/);
    expect(refusal(() => encodePlist({ control: 'a\u0001b' })).code).toBe('UNENCODABLE');
    expect(refusal(() => encodePlist({ map: new Map() as unknown as string })).code).toBe('UNENCODABLE');
  });

  it('skips undefined and null dictionary values (absent optional keys)', () => {
    expect(decodePlist(encodePlist({ a: 'x', b: null, c: undefined as unknown as string }))).toEqual({
      a: 'x',
    });
  });

  it('accepts bytes, strings, a UTF-8 BOM and the standard DOCTYPE', () => {
    const xml = `${HEADER}<plist version="1.0"><dict><key>k</key><string>é</string></dict></plist>`;
    expect(decodePlist(xml)).toEqual({ k: 'é' });
    expect(decodePlist(Buffer.from(xml, 'utf8'))).toEqual({ k: 'é' });
    expect(decodePlist(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]))).toEqual({
      k: 'é',
    });
    expect(decodePlistDict('<plist><dict/></plist>')).toEqual({});
    expect(refusal(() => decodePlistDict('<plist><array/></plist>')).code).toBe('NOT_A_DICTIONARY');
  });
});

describe('decodePlist hardening', () => {
  it('XXE: refuses a DOCTYPE with an internal subset declaring an external entity', () => {
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE plist [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' +
      '<plist version="1.0"><string>&xxe;</string></plist>';
    const { code, message } = refusal(() => decodePlist(xxe));
    expect(code).toBe('DTD_NOT_ALLOWED');
    expect(message).toMatch(/ENTITY|DTD|XXE/);
  });

  it('billion laughs: refuses entity declarations, even after a legitimate-looking DOCTYPE', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "x.dtd" [' +
      '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><plist><string>&lol2;</string></plist>';
    expect(refusal(() => decodePlist(laughs)).code).toBe('DTD_NOT_ALLOWED');
    expect(refusal(() => decodePlist('<!ENTITY x "y"><plist><string>a</string></plist>')).code).toBe(
      'DTD_NOT_ALLOWED',
    );
    expect(
      refusal(() => decodePlist('<!DOCTYPE plist SYSTEM "a"><!DOCTYPE plist SYSTEM "b"><plist/>')).code,
    ).toBe('DTD_NOT_ALLOWED');
    expect(refusal(() => decodePlist('<!DOCTYPE plist><!ELEMENT plist ANY><plist/>')).code).toBe(
      'DTD_NOT_ALLOWED',
    );
  });

  it('refuses a reference to an undeclared entity instead of returning the raw text', () => {
    expect(refusal(() => decodePlist('<plist><string>&undeclared;</string></plist>')).code).toBe('MALFORMED');
  });

  it('refuses oversize input before parsing it', () => {
    const big = `<plist><string>${'a'.repeat(2048)}</string></plist>`;
    const { code, message } = refusal(() => decodePlist(big, { maxBytes: 1024 }));
    expect(code).toBe('TOO_LARGE');
    expect(message).toMatch(/over the 1024-byte limit/);
    expect(decodePlist(big, { maxBytes: 4096 })).toBe('a'.repeat(2048));
    // The default limit is 1 MiB.
    expect(refusal(() => decodePlist(Buffer.alloc(1024 * 1024 + 1, 0x20))).code).toBe('TOO_LARGE');
  });

  it('refuses binary, OpenStep, UTF-16 and invalid UTF-8 input', () => {
    expect(refusal(() => decodePlist(Buffer.from('bplist00\u00d0\u0008', 'latin1'))).code).toBe(
      'UNSUPPORTED_FORMAT',
    );
    expect(refusal(() => decodePlist('{ a = b; }')).code).toBe('UNSUPPORTED_FORMAT');
    expect(refusal(() => decodePlist(Buffer.from('\ufeff<plist/>', 'utf16le'))).code).toBe(
      'INVALID_ENCODING',
    );
    expect(refusal(() => decodePlist(Buffer.from([0x3c, 0x70, 0xff, 0xfe, 0x3e]))).code).toBe(
      'INVALID_ENCODING',
    );
  });

  it('turns malformed XML and absurd nesting into PlistError, and leaves console.error as it was', () => {
    const consoleError = console.error;
    expect(refusal(() => decodePlist('<plist><dict><key>a</key><string>x</dict></plist>')).code).toBe(
      'MALFORMED',
    );
    expect(refusal(() => decodePlist('<plist><dict><key>a</key></plist>')).code).toBe('MALFORMED');
    expect(refusal(() => decodePlist('<notplist/>')).code).toBe('MALFORMED');
    const deep = `<plist>${'<array>'.repeat(50_000)}${'</array>'.repeat(50_000)}</plist>`;
    expect(refusal(() => decodePlist(deep)).code).toBe('MALFORMED');
    expect(console.error).toBe(consoleError);
  });
});
