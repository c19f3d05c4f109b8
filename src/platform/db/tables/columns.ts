import type { ColumnType } from 'kysely';

/** Column helpers shared by every capability's table types. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** jsonb: read as the value, written as JSON text. */
export type Json<T> = ColumnType<T, string, string>;
