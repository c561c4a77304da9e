export { AppleMdmModule } from './apple-mdm.module.js';
export { AppleMdmService, MdmRequestRefused } from './apple-mdm.service.js';
export type { MdmRequest } from './apple-mdm.service.js';
export { AppleEnrollmentService } from './apple-enrollment.service.js';
export { MdmCommandsService } from './mdm-commands.service.js';
export type { NewCommand, QueueableRequestType } from './mdm-commands.service.js';
export { PushCertificatesService, PUSH_CERTIFICATE_WARNING_DAYS } from './push-certificates.service.js';
export type { PushCredentialsView } from './push-certificates.service.js';
export type { PushCertificateView } from './push-certificates.service.js';
