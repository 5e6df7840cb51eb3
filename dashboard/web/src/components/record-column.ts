/** A column of RecordTable: `prop` of the row, an i18n label key, and an optional text formatter. */
export interface RecordColumn<R> {
  prop: string;
  label: string;
  width?: number;
  minWidth?: number;
  format?: (row: R) => string;
}
