/**
 * Apple apps that an allowlist profile always allows, whatever the policy lists.
 *
 * With `allowListedAppBundleIDs` the phone "only shows or can launch apps with bundle IDs in the
 * array" (com.apple.applicationaccess.yaml), and that includes Apple's own apps. A government
 * phone must stay a phone: reach its settings, call (including emergency calls), text, take and
 * show photos, find its way, browse, read mail and keep appointments. Field reports show that a
 * too-short allowlist also breaks system features (Now Playing / Dynamic Island controls,
 * ProfileManifests#842), so this list errs on the side of the everyday apps below.
 *
 * Deliberately NOT included: the App Store (com.apple.AppStore). Apps on managed phones are
 * installed by MDM, and an allowlist policy exists precisely to stop users installing anything
 * else. A policy that wants it lists it in its allowed apps.
 *
 * An app the policy explicitly blocks is removed from this list (an officer may block Safari).
 */
export const IOS_ALLOWLIST_SYSTEM_APPS: readonly { bundleId: string; app: string; why: string }[] = [
  {
    bundleId: 'com.apple.Preferences',
    app: 'Settings / Réglages',
    why: 'Wi-Fi, passcode, updates, MDM profile details',
  },
  { bundleId: 'com.apple.mobilephone', app: 'Phone / Téléphone', why: 'calls, including emergency calls' },
  { bundleId: 'com.apple.MobileSMS', app: 'Messages', why: 'SMS, and one-time codes sent by SMS' },
  {
    bundleId: 'com.apple.MobileAddressBook',
    app: 'Contacts',
    why: 'the address book the Phone app relies on',
  },
  { bundleId: 'com.apple.camera', app: 'Camera / Appareil photo', why: 'scanning QR codes and documents' },
  {
    bundleId: 'com.apple.mobileslideshow',
    app: 'Photos',
    why: 'viewing what the camera took; the photo picker',
  },
  { bundleId: 'com.apple.Maps', app: 'Maps / Plans', why: 'navigation' },
  {
    bundleId: 'com.apple.mobilesafari',
    app: 'Safari',
    why: 'the web, and web sign-in flows that open the browser',
  },
  { bundleId: 'com.apple.mobilemail', app: 'Mail', why: 'work e-mail' },
  {
    bundleId: 'com.apple.mobilecal',
    app: 'Calendar / Calendrier',
    why: 'work calendar and meeting invitations',
  },
  { bundleId: 'com.apple.mobiletimer', app: 'Clock / Horloge', why: 'alarms and timers' },
  { bundleId: 'com.apple.facetime', app: 'FaceTime', why: 'audio and video calls between iPhones' },
];

export const IOS_ALLOWLIST_SYSTEM_BUNDLE_IDS: readonly string[] = IOS_ALLOWLIST_SYSTEM_APPS.map(
  (app) => app.bundleId,
);
