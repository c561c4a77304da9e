/*
 * Profile compile + sign throughput, against the raw RSA-2048 signature rate of the same key.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/profiles.bench.js
 *   BENCH_SECONDS=30 node dist/bench/profiles.bench.js
 *
 * Each iteration compiles a 60-app BanSpec into a Restrictions profile (a new policy version each
 * time, so nothing can be cached) and signs it as CMS SignedData. The same process then measures
 * bare `crypto.sign('sha256', ...)` with the same key. Both loops are synchronous, so they run on
 * one core; they alternate in short slices (each gets BENCH_SECONDS in total) so that CPU frequency
 * drift affects both alike. ratio = profiles/s ÷ RSA signatures/s: 1.0 would mean compiling and
 * wrapping cost nothing next to the RSA operation. The last line of output is one JSON object.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BanSpec } from '#libs/ban-spec';
import { CmsSigner, compileRestrictionsProfile, generateTenantSigningIdentity } from '#libs/apple';

const APPS = 60;
const seconds = Number(process.env.BENCH_SECONDS ?? '10');
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error(`BENCH_SECONDS must be a positive number; got ${JSON.stringify(process.env.BENCH_SECONDS)}`);
  process.exit(2);
}
const SLICE_MS = 250;

// Real bundle IDs of commonly banned apps, topped up with synthetic ones to reach 60.
const known = [
  'net.whatsapp.WhatsApp',
  'net.whatsapp.WhatsAppSMB',
  'ph.telegra.Telegraph',
  'org.whispersystems.signal',
  'com.zhiliaoapp.musically',
  'com.burbn.instagram',
  'com.facebook.Facebook',
  'com.facebook.Messenger',
  'com.atebits.Tweetie2',
  'com.toyopagroup.picaboo',
  'com.netflix.Netflix',
  'com.king.candycrushsaga',
  'com.cardify.tinder',
  'com.moxco.bumble',
  'com.grindrguy.grindrx',
  'com.burbn.barcelona',
];
const blocked = [
  ...known,
  ...Array.from(
    { length: APPS - known.length },
    (_, i) => `com.example.banned.app${String(i + 1).padStart(2, '0')}`,
  ),
];

function spec(version: number): BanSpec {
  return {
    policy: {
      tenantSlug: 'bench',
      slug: 'applications-grand-public',
      name: 'Applications grand public',
      version,
      organization: 'Rempart bench',
      description: 'Interdit les applications grand public sur les téléphones de l’État.',
    },
    mode: 'blocklist',
    includeLegacyIosKeys: false,
    ios: { blocked, allowed: ['fr.gouv.tchap', 'io.olvid.messenger'] },
    android: { blocked: [], allowed: [], forceInstalled: [] },
  };
}

const identity = await generateTenantSigningIdentity({ tenantName: 'Rempart bench', tenantSlug: 'bench' });
const signer = new CmsSigner(identity);
const key = createPrivateKey(identity.privateKeyPem);
// About the size of the signed attributes CmsSigner signs.
const attributesLike = Buffer.alloc(105, 0x31);

let version = 0;
let profileBytes = 0;
function profileOnce(): void {
  version += 1;
  const signed = signer.sign(compileRestrictionsProfile(spec(version)));
  profileBytes = signed.length;
}
function rsaOnce(): void {
  sign('sha256', attributesLike, key);
}

/** Runs `fn` for about `ms` milliseconds; returns [iterations, elapsed ms]. */
function runFor(fn: () => void, ms: number): [number, number] {
  const start = performance.now();
  const end = start + ms;
  let n = 0;
  let now = start;
  while (now < end) {
    fn();
    n += 1;
    now = performance.now();
  }
  return [n, now - start];
}

// Warm-up: JIT, forge's lazily built tables, OpenSSL's key setup.
runFor(profileOnce, 300);
runFor(rsaOnce, 300);

const totals = { profiles: 0, profileMs: 0, rsa: 0, rsaMs: 0 };
for (let left = seconds * 1000; left > 0; left -= SLICE_MS) {
  const slice = Math.min(SLICE_MS, left);
  const [p, pMs] = runFor(profileOnce, slice);
  totals.profiles += p;
  totals.profileMs += pMs;
  const [r, rMs] = runFor(rsaOnce, slice);
  totals.rsa += r;
  totals.rsaMs += rMs;
}

const profilesPerSecond = totals.profiles / (totals.profileMs / 1000);
const rsaPerSecond = totals.rsa / (totals.rsaMs / 1000);
const ratio = profilesPerSecond / rsaPerSecond;
const rssMb = process.resourceUsage().maxRSS / 1024;

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
console.log(`Profile compile + CMS sign, ${APPS} blocked apps, RSA-2048 / SHA-256`);
console.log(
  `  node ${process.versions.node}, OpenSSL ${process.versions.openssl}, ${cpus()[0]?.model ?? 'unknown CPU'} (one core)`,
);
console.log(`  ${seconds}s per workload, alternating ${SLICE_MS} ms slices`);
console.log(`  signed profile size:          ${profileBytes} bytes`);
console.log(
  `  profiles compiled + signed:   ${totals.profiles} → ${profilesPerSecond.toFixed(0)}/s (${(1000 / profilesPerSecond).toFixed(3)} ms each)`,
);
console.log(
  `  bare RSA-2048 signatures:     ${totals.rsa} → ${rsaPerSecond.toFixed(0)}/s (${(1000 / rsaPerSecond).toFixed(3)} ms each)`,
);
console.log(`  ratio (target ≥ 0.5):         ${ratio.toFixed(3)}`);
console.log(`  peak RSS:                     ${rssMb.toFixed(1)} MB`);
console.log(
  JSON.stringify({
    bench: 'profiles',
    apps: APPS,
    seconds,
    profiles_per_second: round(profilesPerSecond, 1),
    rsa_signs_per_second: round(rsaPerSecond, 1),
    ratio: round(ratio, 3),
    rss_mb: round(rssMb, 1),
  }),
);
