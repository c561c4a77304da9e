import { describe, expect, it } from '@jest/globals';
import type { BanSpec } from '#libs/ban-spec';
import { diffBanSpecs } from './diff-ban-specs.js';

function spec(
  version: number,
  fields: Partial<Pick<BanSpec, 'mode' | 'includeLegacyIosKeys' | 'ios' | 'android'>>,
): BanSpec {
  return {
    policy: { tenantSlug: 't', slug: 'p', name: 'P', version, organization: 'O', description: 'D' },
    mode: 'blocklist',
    includeLegacyIosKeys: false,
    ios: { blocked: [], allowed: [] },
    android: { blocked: [], allowed: [], forceInstalled: [] },
    ...fields,
  };
}

describe('diffBanSpecs', () => {
  it('lists identifiers added and removed per platform going from one version to the next', () => {
    const v1 = spec(1, {
      ios: { blocked: ['net.whatsapp.WhatsApp', 'ph.telegra.Telegraph'], allowed: [] },
      android: { blocked: ['com.whatsapp', 'org.telegram.messenger'], allowed: [], forceInstalled: [] },
    });
    const v2 = spec(2, {
      ios: {
        blocked: ['net.whatsapp.WhatsApp', 'org.whispersystems.signal'],
        allowed: ['io.olvid.messenger'],
      },
      android: {
        blocked: ['com.whatsapp', 'org.thoughtcrime.securesms'],
        allowed: [],
        forceInstalled: ['io.olvid.messenger'],
      },
    });
    expect(diffBanSpecs(v1, v2)).toEqual({
      from: { slug: 'p', version: 1 },
      to: { slug: 'p', version: 2 },
      mode: null,
      includeLegacyIosKeys: null,
      ios: {
        blocked: { added: ['org.whispersystems.signal'], removed: ['ph.telegra.Telegraph'] },
        allowed: { added: ['io.olvid.messenger'], removed: [] },
      },
      android: {
        blocked: { added: ['org.thoughtcrime.securesms'], removed: ['org.telegram.messenger'] },
        allowed: { added: [], removed: [] },
        forceInstalled: { added: ['io.olvid.messenger'], removed: [] },
      },
      changed: true,
    });
    // The reverse diff swaps added and removed.
    expect(diffBanSpecs(v2, v1).ios.blocked).toEqual({
      added: ['ph.telegra.Telegraph'],
      removed: ['org.whispersystems.signal'],
    });
  });

  it('reports no change between equal specs, and mode or legacy-key changes alone', () => {
    const v1 = spec(1, { ios: { blocked: ['com.a.B'], allowed: [] } });
    expect(diffBanSpecs(v1, spec(2, { ios: { blocked: ['com.a.B'], allowed: [] } })).changed).toBe(false);
    const v3 = spec(3, {
      ios: { blocked: ['com.a.B'], allowed: [] },
      mode: 'allowlist',
      includeLegacyIosKeys: true,
    });
    const diff = diffBanSpecs(v1, v3);
    expect(diff.mode).toEqual({ from: 'blocklist', to: 'allowlist' });
    expect(diff.includeLegacyIosKeys).toEqual({ from: false, to: true });
    expect(diff.changed).toBe(true);
  });

  it('treats identifiers case-sensitively (iOS bundle IDs)', () => {
    const diff = diffBanSpecs(
      spec(1, { ios: { blocked: ['com.a.b'], allowed: [] } }),
      spec(2, { ios: { blocked: ['com.a.B'], allowed: [] } }),
    );
    expect(diff.ios.blocked).toEqual({ added: ['com.a.B'], removed: ['com.a.b'] });
  });
});
