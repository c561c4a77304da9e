import { describe, expect, it } from '@jest/globals';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { ArgumentMetadata } from '@nestjs/common';
import { createValidationPipe } from './validation.js';

class RuleDto {
  @IsString()
  group!: string;
}

class BodyDto {
  @IsString()
  @MinLength(1)
  @MaxLength(20)
  name!: string;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];

  @IsOptional()
  @IsIn(['a', 'b'], { each: true, message: 'kinds must be among a, b' })
  kinds?: string[];

  @IsOptional()
  @IsInt()
  @Min(1)
  count?: number;

  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'at must be an ISO-8601 date-time' })
  at?: Date;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => RuleDto)
  rules?: RuleDto[];
}

const body: ArgumentMetadata = { type: 'body', metatype: BodyDto, data: '' };

async function errorsFor(value: unknown) {
  try {
    await createValidationPipe().transform(value, body);
  } catch (error) {
    return error as { message: string; errors: Array<{ field: string; message: string }> };
  }
  throw new Error('the body passed validation');
}

describe('request validation messages', () => {
  it('says a missing field is required, and nothing else about it', async () => {
    const error = await errorsFor({});
    expect(error.errors).toEqual([{ field: 'name', message: 'is required' }]);
    expect(error.message).toBe('name: is required');
  });

  it('gives one message per field, the type first', async () => {
    expect((await errorsFor({ name: 7, count: 'many' })).errors).toEqual([
      { field: 'name', message: 'must be a string' },
      { field: 'count', message: 'must be an integer number' },
    ]);
    expect((await errorsFor({ name: 'x'.repeat(30), count: 0 })).errors).toEqual([
      { field: 'name', message: 'must be shorter than or equal to 20 characters' },
      { field: 'count', message: 'must not be less than 1' },
    ]);
  });

  it('names every bad entry of a list by its index, in default and custom messages', async () => {
    const error = await errorsFor({ name: 'n', tags: ['ok', 1, 'ok', null], kinds: ['a', 'z', 'y'] });
    expect(error.errors).toEqual([
      { field: 'tags[1]', message: 'must be a string' },
      { field: 'tags[3]', message: 'must be a string' },
      { field: 'kinds[1]', message: 'must be among a, b' },
      { field: 'kinds[2]', message: 'must be among a, b' },
    ]);
    expect(error.message).not.toMatch(/each value in/);
  });

  it('names nested fields with their path, and a nested entry that is not an object', async () => {
    const error = await errorsFor({ name: 'n', rules: [{ group: 'g' }, { group: 3 }, 'loose'] });
    expect(error.errors).toEqual([
      { field: 'rules[1].group', message: 'must be a string' },
      { field: 'rules[2]', message: 'must be an object' },
    ]);
  });

  it('names an unknown field and keeps custom messages without repeating the field name', async () => {
    expect((await errorsFor({ name: 'n', colour: 'blue', at: 'tomorrow' })).errors).toEqual([
      { field: 'colour', message: 'unknown field' },
      { field: 'at', message: 'must be an ISO-8601 date-time' },
    ]);
  });

  it('refuses a body that is not an object', async () => {
    expect((await errorsFor(['n'])).errors).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
  });
});
