// Response shapes of the telemetry routes, for the OpenAPI document only (the service returns plain objects).
import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

export class SeriesPointDto {
  @ApiProperty({ type: Number, description: 'Epoch ms: the sample time, or the start of the aggregation interval', example: 1772439300000 })
  time!: number;
  @ApiProperty({ type: Number, description: 'The sample value, or the mean over the interval', example: 7.42 })
  value!: number;
  @ApiPropertyOptional({ type: Number, description: 'Smallest value in the interval (aggregated answers only)', example: 7.05 })
  min?: number;
  @ApiPropertyOptional({ type: Number, description: 'Largest value in the interval (aggregated answers only)', example: 7.9 })
  max?: number;
}

export class SeriesResponseDto {
  @ApiProperty({ type: String, example: 'car-0017' })
  asset!: string;
  @ApiProperty({ type: Number, description: 'Start of the range, epoch ms (inclusive)' })
  from!: number;
  @ApiProperty({ type: Number, description: 'End of the range, epoch ms (exclusive)' })
  to!: number;
  @ApiProperty({ enum: ['raw', '1m'], description: 'raw samples, or the 1-minute aggregates (long or old ranges)' })
  resolution!: 'raw' | '1m';
  @ApiPropertyOptional({ type: Number, description: 'The aggregation interval used, ms (the 1-minute data rounds step up to whole minutes)' })
  stepMs?: number;
  @ApiProperty({ type: Boolean, description: 'True when a series without step had more points than the limit: the newest were kept' })
  truncated!: boolean;
  @ApiProperty({
    description: 'Points in time order, by status reference <part>.<status>',
    type: 'object',
    additionalProperties: { type: 'array', items: { $ref: getSchemaPath(SeriesPointDto) } },
    example: { 'p.axle.vibration_rms': [{ time: 1772439300000, value: 7.42, min: 7.05, max: 7.9 }] },
  })
  series!: Record<string, SeriesPointDto[]>;
}

export class LatestValueDto {
  @ApiProperty({ type: Number, example: 1772439300000 })
  time!: number;
  @ApiProperty({ type: Number, example: 7.42 })
  value!: number;
}

export class LatestResponseDto {
  @ApiProperty({ type: String, example: 'car-0017' })
  asset!: string;
  @ApiProperty({
    description: 'The latest value by status reference <part>.<status>',
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(LatestValueDto) },
    example: { 'p.axle.vibration_rms': { time: 1772439300000, value: 7.42 } },
  })
  statuses!: Record<string, LatestValueDto>;
}

export class IssueDto {
  @ApiProperty({ type: String, example: 'query.step' })
  path!: string;
  @ApiProperty({ type: String, example: 'must be an interval of at least 1 ms, in ms (60000) or with a unit ms, s, m, h or d (like 10s or 5m), got "fast"' })
  message!: string;
}

export class ErrorResponseDto {
  @ApiProperty({ type: String, example: 'query.step: must be an interval of at least 1 ms, ...' })
  error!: string;
  @ApiPropertyOptional({ type: [IssueDto] })
  issues?: IssueDto[];
}
