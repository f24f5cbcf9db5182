// The exports' CSV encoder (src/deployments/csv.ts) writes what csv-stringify writes (RFC 4180, CRLF,
// escape_formulas), cell for cell, on tricky and on random text; and a CSV parser reads it back as the values,
// neutralised formulas aside. Unlike csv-stringify given a record delimiter (as the export was), it quotes a
// lone line feed or carriage return too: unquoted, a parser starts a new record there, whose first cell no
// formula check has seen. And the successor of a version prefix (SQLite's range of a prefix) bounds exactly
// the texts that start with it.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { csvHeader, csvRecords, type CsvValue } from '../../src/deployments/csv.js';
import { prefixSuccessor } from '../../src/store/dialects/dialect.js';
import { mulberry32 } from '../helpers/random.js';

const COLUMNS = ['id', 'text', 'other'] as const;
type Record3 = Record<(typeof COLUMNS)[number], CsvValue>;

const TRICKY: CsvValue[] = [
  '',
  null,
  undefined,
  0,
  42,
  -1,
  'plain',
  'a,b',
  'say "hi"',
  '"',
  'line\nbreak',
  'carriage\rreturn',
  'crlf\r\nend',
  '=HYPERLINK("http://evil")',
  '+1',
  '-1.0',
  '@SUM(A1)',
  '\tTab',
  '\rCR',
  '\uFF1D1',
  '\uFF0B1',
  '\uFF0D1',
  '\uFF201',
  "'quoted already",
  ' leading space',
  'trailing space ',
  'é ü 漢字 🚀',
  '=a,"b"\r\n',
];

/** Random text over the characters that matter to CSV and to formulas, and a few others. */
function randomText(random: () => number): string {
  const alphabet = [
    'a',
    'Z',
    '0',
    ',',
    '"',
    '\r',
    '\n',
    '=',
    '+',
    '-',
    '@',
    '\t',
    ' ',
    "'",
    'é',
    '🚀',
    '\uFF1D',
  ];
  const length = Math.floor(random() * 8);
  return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}

const reference = (records: Record3[]) =>
  stringify(records, {
    header: true,
    columns: [...COLUMNS],
    escape_formulas: true,
    record_delimiter: '\r\n',
    quote_record_delimiter: true,
  });
const ours = (records: Record3[]) => csvHeader(COLUMNS) + csvRecords(records, COLUMNS);

describe('the CSV of exports', () => {
  it('writes what csv-stringify writes, for every tricky value in every position', () => {
    const records = TRICKY.flatMap((value, index) => [
      { id: index, text: value, other: 'x' },
      { id: value, text: 'x', other: value },
    ]);
    expect(ours(records)).toBe(reference(records));
  });

  it('writes what csv-stringify writes, for random text', () => {
    const random = mulberry32(13);
    const records = Array.from({ length: 2000 }, (_, id) => ({
      id,
      text: randomText(random),
      other: random() < 0.2 ? null : randomText(random),
    }));
    expect(ours(records)).toBe(reference(records));
  });

  it('reads back as the values, formulas neutralised by a leading quote', () => {
    const records = TRICKY.map((value, index) => ({ id: index, text: value, other: null }));
    const parsed = parse(ours(records), { columns: true }) as Array<Record<string, string>>;
    expect(parsed.map((row) => row.text)).toEqual(
      TRICKY.map((value) => {
        const text = value === null || value === undefined ? '' : String(value);
        return typeof value === 'string' && /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(text)
          ? `'${text}`
          : text;
      }),
    );
  });

  it('quotes a lone line feed or carriage return, which would start a record of its own', () => {
    const records = [{ id: 1, text: 'ok\n=1+1', other: 'x\ry' }];
    expect(ours(records)).toBe('id,text,other\r\n1,"ok\n=1+1","x\ry"\r\n');
    expect(parse(ours(records), { columns: true })).toEqual([{ id: '1', text: 'ok\n=1+1', other: 'x\ry' }]);
  });

  it('is a header alone for no rows', () => {
    expect(ours([])).toBe('id,text,other\r\n');
  });
});

describe("a version prefix's successor", () => {
  it('is the smallest text after every text that starts with the prefix', () => {
    expect(prefixSuccessor('1.4')).toBe('1.5');
    expect(prefixSuccessor('v1.')).toBe('v1/');
    expect(prefixSuccessor('a\u{10FFFF}')).toBe('b');
    expect(prefixSuccessor('\u{10FFFF}')).toBeUndefined();
    expect(prefixSuccessor('x\uD7FF')).toBe('x\uE000');
    expect(prefixSuccessor('🚀')).toBe('🚁');
  });

  it('bounds exactly the texts that start with the prefix, in UTF-8 byte order', () => {
    const bytes = (text: string) => Buffer.from(text, 'utf8');
    const texts = ['1.3.9', '1.4', '1.4.0', '1.4\u{10FFFF}x', '1.49', '1.5', '1.5.0', '1.4🚀', '1/', '2'];
    for (const prefix of ['1.4', '1.', '1.4🚀']) {
      const next = prefixSuccessor(prefix) as string;
      for (const text of texts) {
        const inRange =
          Buffer.compare(bytes(text), bytes(prefix)) >= 0 && Buffer.compare(bytes(text), bytes(next)) < 0;
        expect(inRange, `${text} in [${prefix}, ${next})`).toBe(text.startsWith(prefix));
      }
    }
  });
});
