import { describe, expect, it } from '@jest/globals';
import { canonicalJson, chainHash, GENESIS_HASH, type ChainedFields } from './audit-chain.js';

const event: ChainedFields = {
  tenantId: '3b9f1d1e-0000-4000-8000-000000000001',
  seq: 1,
  occurredAt: new Date('2026-11-27T10:00:00.000Z'),
  actorId: null,
  actorLabel: 'cli:root',
  action: 'officer.create',
  targetType: 'officer',
  targetId: 'o1',
  before: null,
  after: { email: 'a@gouv.fr', role: 'admin' },
  requestId: null,
  prevHash: GENESIS_HASH,
};

describe('audit hash chain', () => {
  it('hashes the same event identically whatever the key order jsonb hands back', () => {
    const reordered = { ...event, after: { role: 'admin', email: 'a@gouv.fr' } };
    expect(chainHash(reordered)).toBe(chainHash(event));
  });

  it('changes the hash when any field changes', () => {
    const original = chainHash(event);
    expect(chainHash({ ...event, after: { email: 'a@gouv.fr', role: 'auditor' } })).not.toBe(original);
    expect(chainHash({ ...event, seq: 2 })).not.toBe(original);
    expect(chainHash({ ...event, prevHash: 'f'.repeat(64) })).not.toBe(original);
    expect(chainHash({ ...event, occurredAt: new Date('2026-11-27T10:00:00.001Z') })).not.toBe(original);
  });

  it('writes nested objects with sorted keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});
