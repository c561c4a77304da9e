import { describe, expect, it } from '@jest/globals';
import { parseDiscoveryDocument, validateAgainstDiscovery } from './discovery-validator.js';
import { baselineAndroidPolicy, GROUP_POLICY_UPDATE_MASK, mergeAndroidPolicies } from './group-policy.js';
import type { AndroidPolicy } from './policy-compiler.js';
import { readDiscoveryDocument } from '../../../test/support/vendor.js';

const withApps = (
  mode: AndroidPolicy['playStoreMode'],
  apps: AndroidPolicy['applications'],
): AndroidPolicy => ({
  ...baselineAndroidPolicy(),
  playStoreMode: mode,
  applications: apps,
});

describe('group policies', () => {
  it('the baseline is a valid AMAPI Policy whose fields are exactly the update mask', () => {
    const discovery = parseDiscoveryDocument(readDiscoveryDocument());
    expect(validateAgainstDiscovery(baselineAndroidPolicy(), 'Policy', discovery)).toEqual([]);
    expect(Object.keys(baselineAndroidPolicy()).sort()).toEqual([...GROUP_POLICY_UPDATE_MASK].sort());
  });

  it('merges: a ban wins over an approval, WHITELIST over BLACKLIST, order does not matter', () => {
    const a = withApps('BLACKLIST', [
      { packageName: 'com.whatsapp', installType: 'BLOCKED' },
      { packageName: 'io.olvid.messenger', installType: 'AVAILABLE' },
    ]);
    const b = withApps('WHITELIST', [
      { packageName: 'com.whatsapp', installType: 'AVAILABLE' },
      { packageName: 'fr.gouv.tchap.a', installType: 'FORCE_INSTALLED' },
    ]);
    const merged = mergeAndroidPolicies([a, b]);
    expect(merged.playStoreMode).toBe('WHITELIST');
    expect(merged.applications).toEqual([
      { packageName: 'com.whatsapp', installType: 'BLOCKED' },
      { packageName: 'fr.gouv.tchap.a', installType: 'FORCE_INSTALLED' },
      { packageName: 'io.olvid.messenger', installType: 'AVAILABLE' },
    ]);
    expect(mergeAndroidPolicies([b, a])).toEqual(merged);
    expect(mergeAndroidPolicies([])).toEqual(baselineAndroidPolicy());
  });
});
