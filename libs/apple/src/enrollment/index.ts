export { buildEnrollmentProfile, REMPART_ACCESS_RIGHTS } from './enrollment-profile.js';
export type { EnrollmentProfileInput } from './enrollment-profile.js';
