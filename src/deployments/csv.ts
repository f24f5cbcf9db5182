// CSV text of exports (RFC 4180), written a whole batch at a time. A cell holding a comma, a double quote, a
// carriage return or a line feed is quoted (its double quotes doubled); a text cell whose first character a
// spreadsheet would read as the start of a formula (= + - @, tab, carriage return, or the full-width = + - @
// that some applications normalise) gets a single quote before it (OWASP "CSV injection"). Numbers are
// written as they are. The output of csv-stringify with escape_formulas and quote_record_delimiter
// (test/unit/csv.test.ts compares them), for a fraction of its allocations per cell: a million-row export is
// mostly this loop, and what it allocates is what the garbage collector has to keep up with. (csv-stringify
// given a record delimiter, as the export was, left a lone line feed unquoted: a parser then started a new
// record there, whose first cell had escaped the formula check.)

/** A cell's value: text, a number, or nothing (an empty cell). */
export type CsvValue = string | number | null | undefined;

const RECORD_DELIMITER = '\r\n';
const NEEDS_QUOTES = /[",\r\n]/;
const QUOTES = /"/g;
const FORMULA_STARTS = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

/** One cell, quoted and neutralised as needed. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (value === '') return '';
  const text = FORMULA_STARTS.has(value.charAt(0)) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTES, '""')}"` : text;
}

/** The header row: the column names, as cells. */
export function csvHeader(columns: readonly string[]): string {
  return columns.map(csvCell).join(',') + RECORD_DELIMITER;
}

/** The records of `rows`, one line each (CRLF ended), with the cells of `columns` in that order. */
export function csvRecords<Row extends object>(
  rows: readonly Row[],
  columns: readonly (keyof Row)[],
): string {
  let text = '';
  for (const row of rows) {
    let line = '';
    for (let index = 0; index < columns.length; index++) {
      if (index > 0) line += ',';
      line += csvCell(row[columns[index] as keyof Row] as CsvValue);
    }
    text += line + RECORD_DELIMITER;
  }
  return text;
}
