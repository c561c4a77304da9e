import { buildServerTokenP7m } from '../test/fakes/ade-token.js';
import { TestAppleDeviceCa } from '../test/fakes/apple-device-ca.js';
import { FakeAde } from '../test/fakes/fake-ade.js';
import type { SimulatedIphone } from '../test/simulators/iphone-simulator.js';
import type { ApiClient } from './api-client.js';

/*
 * Apple's side of Automated Device Enrollment, locally: a fake Apple Business Manager (the Device
 * Assignment API) that knows the serial numbers the state bought, and a stand-in for Apple's iPhone
 * Device CA whose certificates the phones sign their MachineInfo with in Setup Assistant.
 */
/** How long to wait for the assignment before asking for another sync. */
const RESYNC_MS = 15_000;

export class DemoAppleBusinessManager {
  private constructor(
    readonly abm: FakeAde,
    readonly deviceCa: TestAppleDeviceCa,
  ) {}

  static async start(): Promise<DemoAppleBusinessManager> {
    const abm = new FakeAde();
    await abm.start();
    return new DemoAppleBusinessManager(abm, new TestAppleDeviceCa());
  }

  get url(): string {
    return this.abm.url;
  }

  /** What the ABM administrator does when the phones are bought: assign them to this MDM server. */
  purchase(count: number): string[] {
    return this.abm.addDevices(count, () => ({ description: 'IPHONE 15 CABINETS' }));
  }

  /**
   * The officer links Rempart to ABM: downloads Rempart's certificate, "uploads it to ABM" (here:
   * the token is made for it), uploads the server token, chooses the group new phones go to; the
   * sync this queues fetches the serials and assigns them the supervised ADE profile.
   */
  async link(api: ApiClient, group: string): Promise<void> {
    const certificate = await api.getText('/v1/apple/ade/certificate');
    await api.patch('/v1/apple/ade', { defaultGroup: group, skipSetupItems: ['AppleID', 'Siri', 'Payment'] });
    await api.putFile(
      '/v1/apple/ade/token',
      'application/pkcs7-mime',
      buildServerTokenP7m(certificate, this.abm.credentials),
    );
  }

  /** Waits until Rempart has assigned `count` ABM devices (GET /v1/apple/ade/devices?status=assigned). */
  async waitForAssignment(api: ApiClient, count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let nextSync = Date.now() + RESYNC_MS;
    for (;;) {
      const assigned = await countAssigned(api);
      if (assigned >= count) return;
      if (Date.now() > deadline) {
        throw new Error(
          `only ${assigned} of ${count} ABM iPhones were assigned within ${timeoutMs / 1000} s`,
        );
      }
      // Should the sync the token upload queued have missed some (a throttled serial), ask for another.
      if (Date.now() > nextSync) {
        await api.post('/v1/apple/ade/sync', {});
        nextSync = Date.now() + RESYNC_MS;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  /** The phone is switched on: Setup Assistant fetches its ADE profile from Apple and enrolls. */
  async setUp(phone: SimulatedIphone): Promise<void> {
    const profile = this.abm.profileFor(phone.serialNumber);
    if (!profile) throw new Error(`ABM has no ADE profile for ${phone.serialNumber}: not assigned`);
    await phone.runSetupAssistant({
      adeProfile: profile as { url: string; await_device_configured: boolean },
      deviceIdentity: this.deviceCa.issueDevice(phone.udid),
    });
  }

  stop(): Promise<void> {
    return this.abm.stop();
  }
}

async function countAssigned(api: ApiClient): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: { devices: unknown[]; nextCursor: string | null } = await api.get(
      `/v1/apple/ade/devices?status=assigned&limit=1000${query}`,
    );
    count += page.devices.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}
