// Written by `npm run migration:generate -- <Name>`: every committed migration, oldest first.
import { Init1795817083357 } from './1795817083357-Init.js';
import { AuditEventsAppendOnly1795817100000 } from './1795817100000-AuditEventsAppendOnly.js';
import { PoliciesAndSigning1795817933344 } from './1795817933344-PoliciesAndSigning.js';
import { AppleEnrollmentAndDevices1795819003363 } from './1795819003363-AppleEnrollmentAndDevices.js';
import { Rollouts1796124135093 } from './1796124135093-Rollouts.js';
import { DeviceCertificateBindingAndRevocation1796124284003 } from './1796124284003-DeviceCertificateBindingAndRevocation.js';
import { AuditEventMac1796124582216 } from './1796124582216-AuditEventMac.js';
import { AndroidChannel1796124944426 } from './1796124944426-AndroidChannel.js';
import { AndroidRolloutLeg1796126915536 } from './1796126915536-AndroidRolloutLeg.js';
import { Compliance1796127053146 } from './1796127053146-Compliance.js';
import { AppleAutomatedDeviceEnrollment1796127427102 } from './1796127427102-AppleAutomatedDeviceEnrollment.js';
import { ConsoleSessions1796134702496 } from './1796134702496-ConsoleSessions.js';
import { EnrollmentToken1796134782963 } from './1796134782963-EnrollmentToken.js';
import { ComplianceStatusCounts1796136501549 } from './1796136501549-ComplianceStatusCounts.js';
import { ConsoleDeviceListOrder1796137527676 } from './1796137527676-ConsoleDeviceListOrder.js';
import { DeliveriesUpdatedInPlace1796144451357 } from './1796144451357-DeliveriesUpdatedInPlace.js';
import { FanOutWritesLess1796145142675 } from './1796145142675-FanOutWritesLess.js';
import { ConsoleSessionPublicId1796146922415 } from './1796146922415-ConsoleSessionPublicId.js';

export const MIGRATIONS: Function[] = [Init1795817083357, AuditEventsAppendOnly1795817100000, PoliciesAndSigning1795817933344, AppleEnrollmentAndDevices1795819003363, Rollouts1796124135093, DeviceCertificateBindingAndRevocation1796124284003, AuditEventMac1796124582216, AndroidChannel1796124944426, AndroidRolloutLeg1796126915536, Compliance1796127053146, AppleAutomatedDeviceEnrollment1796127427102, ConsoleSessions1796134702496, EnrollmentToken1796134782963, ComplianceStatusCounts1796136501549, ConsoleDeviceListOrder1796137527676, DeliveriesUpdatedInPlace1796144451357, FanOutWritesLess1796145142675, ConsoleSessionPublicId1796146922415];
