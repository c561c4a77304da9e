import { ApiProperty } from '@nestjs/swagger';

/** A device group as GET /v1/groups and GET /v1/groups/{slug} show it. */
export class GroupResponse {
  @ApiProperty({ example: 'cabinets' })
  slug!: string;

  @ApiProperty({ example: 'Cabinets ministériels' })
  name!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ example: 12, description: 'its devices, enrolled or enrolling (not unenrolled)' })
  devices!: number;

  @ApiProperty({
    type: [String],
    example: ['messageries'],
    description: 'slugs of the policies that target it',
  })
  policies!: string[];
}
