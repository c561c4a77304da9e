import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An app a phone reported (InstalledApplicationList). Replaced whole at each report. */
@Entity('device_apps')
export class DeviceAppEntity {
  @PrimaryColumn({ name: 'device_id', type: 'uuid' })
  deviceId!: string;

  @PrimaryColumn({ type: 'text' })
  identifier!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'text', nullable: true })
  version!: string | null;

  /** Android applicationReports state: INSTALLED or REMOVED (null for iPhones: listed means installed). */
  @Column({ type: 'text', nullable: true })
  state!: string | null;

  @Column({ name: 'reported_at', type: 'timestamptz' })
  reportedAt!: Date;
}

/** A configuration profile a phone reported (ProfileList). Replaced whole at each report. */
@Entity('device_profiles')
export class DeviceProfileEntity {
  @PrimaryColumn({ name: 'device_id', type: 'uuid' })
  deviceId!: string;

  @PrimaryColumn({ type: 'text' })
  identifier!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text', nullable: true })
  uuid!: string | null;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ name: 'reported_at', type: 'timestamptz' })
  reportedAt!: Date;
}
