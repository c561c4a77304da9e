import { ApiProperty } from '@nestjs/swagger';

export class GroupResponse {
  @ApiProperty({ example: 'ministere-interieur' })
  slug!: string;

  @ApiProperty({ example: 'Ministère de l’Intérieur' })
  name!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;
}
