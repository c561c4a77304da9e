import { ApiProperty } from '@nestjs/swagger';

export class GroupResponse {
  @ApiProperty({ example: 'ministere-interieur' })
  slug!: string;

  @ApiProperty({ example: 'Ministère de l’Intérieur' })
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
