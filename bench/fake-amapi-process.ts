/*
 * The fake AMAPI as its own process (the benchmark runs it beside Rempart, as Google would be):
 * prints one JSON line {rootUrl, enterpriseName, serviceAccountKey} and serves until killed.
 * BENCH_DEVICES synthetic phones on policy enterprises/{e}/policies/bench_fleet.
 */
import { FakeAmapi } from '../test/fakes/fake-amapi.js';
import { syntheticFleet } from '../test/fakes/synthetic-fleet.js';

const fake = await FakeAmapi.start();
const enterpriseName = fake.createEnterprise('Benchmark');
fake.synthetic = syntheticFleet({
  count: Number(process.env.BENCH_DEVICES ?? '100000'),
  policyName: `${enterpriseName}/policies/bench_fleet`,
});
process.stdout.write(
  `${JSON.stringify({ rootUrl: fake.rootUrl, enterpriseName, serviceAccountKey: fake.serviceAccountKey() })}\n`,
);
process.on('SIGTERM', () => void fake.stop().then(() => process.exit(0)));
