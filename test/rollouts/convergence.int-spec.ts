import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '#libs/jobs';
import { FakeApns } from '../fakes/fake-apns.js';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';
import { AwakePhones, eventually } from '../support/awake-phones.js';
import { freePort } from '../support/mdm-harness.js';
import {
  buildDist,
  type LoadBalancer,
  type RunningProcess,
  startLoadBalancer,
  startProcess,
  waitForHttp,
} from '../support/processes.js';
import { makePushCertificate } from '../support/push-certificate.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';
import { obliterateQueues } from '../support/worker-context.js';

/*
 * Two mdm processes behind a round-robin balancer and two worker processes, all real child
 * processes from dist/, one PostgreSQL and one Redis (this file's key prefix). The test breaks
 * Redis and kills a worker in the middle of rollouts, then checks that PostgreSQL's view wins:
 * every phone verified, no phone given a version twice, no scheduled rollout lost.
 */

const PHONES = 12;

describe('rollouts converge after a Redis flush and a worker SIGKILL (2 workers, 2 mdm processes)', () => {
  let api: ApiHarness;
  let apns: FakeApns;
  let phones: AwakePhones;
  let balancer: LoadBalancer;
  let dinum: SeededTenant;
  let fleet: SimulatedIphone[];
  let dir: string;
  const mdms: RunningProcess[] = [];
  const workers: RunningProcess[] = [];
  let childEnv: Record<string, string>;

  const as = (role: 'admin' | 'officer' | 'auditor') => ({ Authorization: `Bearer ${dinum.tokens[role]}` });
  const http = () => api.http();
  const rollout = async (id: string) => (await http().get(`/v1/rollouts/${id}`).set(as('auditor'))).body;
  const startWorker = async (name: string) => {
    const worker = startProcess(name, 'worker', childEnv);
    await worker.waitFor(/worker metrics on :\d+/);
    workers.push(worker);
    return worker;
  };
  const createPolicy = (slug: string, effectiveAt?: Date) =>
    http()
      .post('/v1/policies')
      .set(as('officer'))
      .send({
        slug,
        name: slug,
        groups: ['agents'],
        blockLists: [slug.startsWith('jeux') ? 'fr-gov-2023-recreational' : 'fr-gov-2023-messaging'],
        ...(effectiveAt ? { effectiveAt: effectiveAt.toISOString() } : {}),
      })
      .expect(201);
  const publish = async (slug: string, query = '') =>
    (await http().post(`/v1/policies/${slug}/versions${query}`).set(as('officer')).expect(201)).body as {
      rolloutId: string;
    };
  const allVerified = (rolloutId: string) =>
    eventually(
      `rollout ${rolloutId}: ${PHONES} verified`,
      async () => {
        const body = await rollout(rolloutId);
        return body.counts?.verified === PHONES ? body : undefined;
      },
      90_000,
    );

  /** No device holds two InstallProfile commands for one version, and no phone ran one twice. */
  const expectNoVersionTwice = async (versions: number) => {
    const duplicates = await api.sql(
      `SELECT device_id, params->>'policyVersionId' AS version, count(*)::int AS n FROM mdm_commands
        WHERE request_type = 'InstallProfile' GROUP BY 1, 2 HAVING count(*) > 1`,
    );
    expect(duplicates.rows).toEqual([]);
    for (const phone of fleet) expect(phones.installs(phone)).toBe(versions);
    expect(phones.errors).toEqual([]);
  };

  beforeAll(async () => {
    buildDist();
    apns = await FakeApns.start();
    dir = mkdtempSync(path.join(tmpdir(), 'rempart-convergence-'));
    const caFile = path.join(dir, 'apns-ca.pem');
    writeFileSync(caFile, apns.caPem);
    const ports = [await freePort(), await freePort()];
    balancer = await startLoadBalancer(ports);
    const shared = {
      APNS_URL: apns.url,
      APNS_CA_FILE: caFile,
      MDM_PUBLIC_URL: balancer.url,
      ROLLOUT_RECONCILE_SECONDS: '2',
      ROLLOUT_REPUSH_SECONDS: '5',
      ROLLOUT_SLICE_SIZE: '2',
    };
    api = await startApi(shared);
    childEnv = {
      ...shared,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: api.config.DATABASE_URL,
      REDIS_URL: api.config.REDIS_URL,
      QUEUE_PREFIX: api.config.QUEUE_PREFIX,
      WORKER_METRICS_PORT: '0',
      // Two mdm processes on one machine: each takes a free metrics port (the default is one fixed port).
      MDM_METRICS_PORT: '0',
      QUEUE_CONCURRENCY_APPLE_PUSHES: '1',
    };
    for (const [i, port] of ports.entries()) {
      const mdm = startProcess(`mdm-${i + 1}`, 'mdm', { ...childEnv, MDM_PORT: String(port) });
      mdms.push(mdm);
      await waitForHttp(`http://127.0.0.1:${port}/readyz`);
    }
    await startWorker('worker-1');
    await startWorker('worker-2');

    dinum = await api.seedTenant('dinum');
    const push = makePushCertificate();
    await http()
      .put('/v1/apple/push-certificate')
      .set(as('admin'))
      .send({ certificate: push.certificatePem, privateKey: push.privateKeyPem })
      .expect(200);
    await http().post('/v1/groups').set(as('officer')).send({ slug: 'agents', name: 'Agents' }).expect(201);
    const enrollment = await http()
      .post('/v1/enrollments')
      .set(as('officer'))
      .send({ group: 'agents', platform: 'ios', maxUses: PHONES })
      .expect(201);
    phones = new AwakePhones(apns, 1500);
    fleet = [];
    for (let i = 0; i < PHONES; i++) {
      const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
      await phone.enroll(enrollment.body.enrollUrl);
      await phone.processCommands();
      phones.add(phone);
      fleet.push(phone);
    }
  }, 240_000);

  afterAll(async () => {
    phones?.stop();
    await phones?.idle();
    await Promise.all([...workers, ...mdms].map((p) => p.stop()));
    await balancer?.close();
    await apns?.stop();
    if (api) {
      await obliterateQueues(api.config);
      await api.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('after every key of the deployment is deleted from Redis mid-rollout, the rollout and a scheduled one complete', async () => {
    await createPolicy('messageries');
    await createPolicy('jeux', new Date(Date.now() + 6_000));
    const now = await publish('messageries');
    const later = await publish('jeux');
    await eventually('rollout under way', async () => {
      const body = await rollout(now.rolloutId);
      return body.total === PHONES && body.counts.verified < PHONES;
    });

    const redis = new Redis(api.config.REDIS_URL);
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${api.config.QUEUE_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
    expect(deleted).toBeGreaterThan(0);
    const rolloutsQueue = new Queue(QueueName.Rollouts, {
      connection: { url: api.config.REDIS_URL },
      prefix: api.config.QUEUE_PREFIX,
    });
    // The delayed start of the scheduled rollout is gone with the rest: only its row remains.
    expect(await rolloutsQueue.getJob(`rollout-start.${later.rolloutId}`)).toBeUndefined();
    await rolloutsQueue.close();

    await allVerified(now.rolloutId);
    const scheduled = await allVerified(later.rolloutId);
    expect(new Date(scheduled.startedAt).getTime()).toBeGreaterThanOrEqual(
      new Date(scheduled.startsAt).getTime(),
    );
    await phones.idle();
    await expectNoVersionTwice(2);
  }, 150_000);

  it('after a worker is killed with SIGKILL mid-rollout, the other worker and the reconciler finish it', async () => {
    await createPolicy('jeux-2', new Date(Date.now() + 5_000));
    const scheduled = await publish('jeux-2');
    // messageries is unchanged since its first version: forced, to have a rollout to interrupt.
    const next = await publish('messageries', '?force=true');
    await eventually('fan-out done', async () => (await rollout(next.rolloutId)).total === PHONES);
    const victim = workers[0];
    victim.child.kill('SIGKILL');
    await victim.exited;
    expect(victim.child.signalCode).toBe('SIGKILL');

    await allVerified(next.rolloutId);
    await allVerified(scheduled.rolloutId);
    await startWorker('worker-1-restarted');
    await phones.idle();
    await expectNoVersionTwice(4);
  }, 150_000);
});
