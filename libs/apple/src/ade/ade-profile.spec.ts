import { describe, expect, it } from '@jest/globals';
import { classifyAdeError, errorCode } from './ade-api-error.js';
import { adeProfileFingerprint, buildAdeProfile } from './ade-profile.js';

describe('ADE profile', () => {
  const options = {
    organization: 'DINUM',
    url: 'https://mdm.example/mdm/ade/t0ken',
    skipSetupItems: ['Siri', 'AppleID', 'Siri'],
  };

  it('is supervised, mandatory, not removable and awaits DeviceConfigured, with is_mdm_removable written out', () => {
    const profile = buildAdeProfile(options);
    expect(profile).toMatchObject({
      is_supervised: true,
      is_mandatory: true,
      is_mdm_removable: false,
      await_device_configured: true,
      url: options.url,
      skip_setup_items: ['AppleID', 'Siri'],
    });
    expect(JSON.stringify(profile)).toContain('"is_mdm_removable":false');
  });

  it('refuses a pane iOS does not know, and changes fingerprint when the panes change', () => {
    expect(() => buildAdeProfile({ ...options, skipSetupItems: ['Sirri'] })).toThrow(/"Sirri"/);
    expect(adeProfileFingerprint(buildAdeProfile(options))).not.toBe(
      adeProfileFingerprint(buildAdeProfile({ ...options, skipSetupItems: ['Siri'] })),
    );
  });
});

describe('Device Assignment API error classes', () => {
  it('reads quoted, plain and JSON bodies, and sorts them as the reference does', () => {
    expect(errorCode('"EXPIRED_CURSOR"')).toBe('EXPIRED_CURSOR');
    expect(errorCode('{"code":"T_C_NOT_SIGNED"}')).toBe('T_C_NOT_SIGNED');
    expect(classifyAdeError(403, 'T_C_NOT_SIGNED', '/session').kind).toBe('terms_not_signed');
    expect(classifyAdeError(403, 'token_rejected', '/account').kind).toBe('token_rejected');
    expect(classifyAdeError(403, 'ACCESS_DENIED', '/account').kind).toBe('access_denied');
    expect(classifyAdeError(400, 'EXPIRED_CURSOR', '/devices/sync').kind).toBe('cursor_expired');
    expect(classifyAdeError(400, 'EXHAUSTED_CURSOR', '/server/devices').kind).toBe('cursor_exhausted');
    expect(classifyAdeError(400, 'FLAGS_INVALID', '/profile')).toMatchObject({
      kind: 'bad_request',
      code: 'FLAGS_INVALID',
    });
    expect(classifyAdeError(503, '', '/account').kind).toBe('server_error');
    expect(classifyAdeError(429, 'TOO_MANY_REQUESTS', '/account').kind).toBe('rate_limited');
  });
});
