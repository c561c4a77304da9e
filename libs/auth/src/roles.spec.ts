import { describe, expect, it } from '@jest/globals';
import { defaultRequiredRole, roleSatisfies } from './roles.js';

describe('officer roles', () => {
  it('lets each role do what the roles below it do, and no more', () => {
    expect(roleSatisfies('admin', 'officer')).toBe(true);
    expect(roleSatisfies('officer', 'auditor')).toBe(true);
    expect(roleSatisfies('officer', 'admin')).toBe(false);
    expect(roleSatisfies('auditor', 'officer')).toBe(false);
  });

  it('asks auditor for reads and officer for writes by default', () => {
    expect(defaultRequiredRole('GET')).toBe('auditor');
    expect(defaultRequiredRole('post')).toBe('officer');
    expect(defaultRequiredRole('DELETE')).toBe('officer');
  });
});
