import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { compileAndroidPolicy, serializeAndroidPolicy } from '#libs/android';
import { CmsSigner, compileRestrictionsProfile } from '#libs/apple';
import { loadShippedProfiles, readAppListFile, type AppList } from '#libs/catalog';
import { blockedAppsLine, resolveBanSpec } from '#libs/policy';
import type { CliIo } from '../cli-context.js';
import { CliFailure } from '../cli-failure.js';

interface ProfileBuildOptions {
  list: string[];
  platform: 'ios' | 'android';
  signCert?: string;
  signKey?: string;
  chain?: string[];
  out?: string;
  name?: string;
  organization: string;
  mode: 'blocklist' | 'allowlist';
  legacyIos?: boolean;
  profilesDir?: string;
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliFailure(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/**
 * `profile build`: compiles lists into an Apple profile (signed when given a certificate) or an
 * Android policy, offline: it reads only profiles/ and the files named, never a database or Redis,
 * so an officer can build a ban profile on an air-gapped machine.
 */
async function build(options: ProfileBuildOptions, io: CliIo, writeStdout: (bytes: Buffer) => void) {
  if (Boolean(options.signCert) !== Boolean(options.signKey)) {
    throw new CliFailure('--sign-cert and --sign-key go together');
  }
  if (options.platform === 'android' && options.signCert) {
    throw new CliFailure('--sign-cert applies to iOS profiles only; Android policies are not signed');
  }
  const shipped = await loadShippedProfiles(options.profilesDir);
  const lists: AppList[] = [];
  for (const ref of options.list) {
    if (existsSync(ref)) {
      lists.push(await readAppListFile(ref, shipped.catalog));
      continue;
    }
    const list = shipped.lists.find((l) => l.slug === ref);
    if (!list) {
      throw new CliFailure(
        `--list ${ref}: neither a file nor a shipped list (shipped: ${shipped.lists.map((l) => l.slug).join(', ')})`,
      );
    }
    lists.push(list);
  }
  const blockLists = lists.filter((l) => l.kind === 'block');
  const spec = resolveBanSpec({
    catalog: shipped.catalog,
    policy: {
      tenantSlug: 'offline',
      slug: (blockLists[0] ?? lists[0]).slug,
      name: options.name ?? lists.map((l) => l.name).join(' + '),
      version: 1,
      organization: options.organization,
      description: lists
        .map((l) => l.description ?? l.name)
        .join(' ')
        .slice(0, 1000),
      mode: options.mode,
      includeLegacyIosKeys: Boolean(options.legacyIos),
    },
    blockLists,
    allowLists: lists.filter((l) => l.kind === 'allow'),
  });
  // As the server's versions do: the description phones show names the apps.
  const appsLine = blockedAppsLine(shipped.catalog, lists, spec);
  if (appsLine) spec.policy.description = `${spec.policy.description}\n\n${appsLine}`.trimStart();

  let output: Buffer;
  if (options.platform === 'android') {
    output = serializeAndroidPolicy(compileAndroidPolicy(spec));
  } else {
    output = compileRestrictionsProfile(spec);
    if (options.signCert && options.signKey) {
      const signer = new CmsSigner({
        certificatePem: await readPem(options.signCert, 'certificate'),
        privateKeyPem: await readPem(options.signKey, 'private key'),
        chainPem: await Promise.all((options.chain ?? []).map((path) => readPem(path, 'chain certificate'))),
      });
      output = signer.sign(output);
    }
  }
  if (options.out) {
    await writeFile(options.out, output);
    const what =
      options.platform === 'ios' ? (options.signCert ? 'signed profile' : 'profile') : 'Android policy';
    const count = options.platform === 'ios' ? spec.ios.blocked.length : spec.android.blocked.length;
    io.err(`wrote ${what} to ${options.out} (${output.length} bytes, ${count} identifiers blocked)`);
  } else {
    writeStdout(output);
  }
}

export function registerProfileCommands(program: Command, io: CliIo, writeStdout: (bytes: Buffer) => void) {
  const profile = program
    .command('profile')
    .description('compile lists into Apple profiles and Android policies');
  profile
    .command('build')
    .description('build a profile offline (no database or Redis needed)')
    .requiredOption(
      '--list <file-or-slug...>',
      'list files (YAML) or shipped list slugs; their kind says block or allow',
    )
    .addOption(
      new Option('--platform <platform>', 'target platform')
        .choices(['ios', 'android'])
        .makeOptionMandatory(),
    )
    .option('--sign-cert <pem>', 'signing certificate (PEM); signs the iOS profile as CMS SignedData')
    .option('--sign-key <pem>', 'private key of the signing certificate (PEM)')
    .option('--chain <pem...>', 'intermediate/CA certificates to embed')
    .option('--out <file>', 'output file (default: stdout)')
    .option('--name <name>', 'policy name shown on the phone')
    .option('--organization <name>', 'organisation shown on the phone', 'Rempart')
    .addOption(
      new Option('--mode <mode>', 'blocklist or allowlist')
        .choices(['blocklist', 'allowlist'])
        .default('blocklist'),
    )
    .option('--legacy-ios', 'also emit the deprecated pre-iOS 15 keys')
    .option('--profiles-dir <dir>', 'catalog and shipped lists (default: the profiles/ of this installation)')
    .action((options: ProfileBuildOptions) => build(options, io, writeStdout));
}
