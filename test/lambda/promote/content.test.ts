import { classify, isText, readableText } from '../../../lambda/promote/content';

const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...values: number[]) => new Uint8Array(values);
const PDF = utf8('%PDF-1.7\n');
const ZIP = bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00);
const OLE2 = bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);

describe('isText', () => {
  test('UTF-8 with a byte-order mark, tabs, line breaks and form feeds is text', () => {
    expect(isText(bytes(0xef, 0xbb, 0xbf, ...utf8('naïve\tcafé\r\n\fend')), true)).toBe(true);
  });

  test('a NUL or another control character is not text (UTF-16, binary data)', () => {
    expect(isText(utf8('abc\u0000def'), true)).toBe(false);
    expect(isText(bytes(0xff, 0xfe, 0x61, 0x00), true)).toBe(false);
    expect(isText(utf8('bell\u0007'), true)).toBe(false);
  });

  test('a character cut at the end counts only when the bytes are the whole file', () => {
    const cut = utf8('café').slice(0, -1); // the last byte of é is missing
    expect(isText(cut, false)).toBe(true);
    expect(isText(cut, true)).toBe(false);
  });
});

describe('classify', () => {
  test.each([
    ['report.pdf', PDF, 'pdf'],
    ['Contract.DOCX', ZIP, 'docx'],
    ['figures.xlsx', ZIP, 'xlsx'],
    ['old.doc', OLE2, 'doc'],
    ['old.xls', OLE2, 'xls'],
  ])('%s with its own signature is a binary document', (key, content, format) => {
    expect(classify(`incoming/${key}`, content, true)).toEqual({ kind: 'binary-document', format });
  });

  test.each([
    ['a signature under another format name', 'incoming/contract.docx', PDF],
    ['an archive', 'incoming/bundle.zip', ZIP],
    ['an unknown binary with no name', 'incoming/blob', bytes(0x00, 0x01, 0x02, 0x03)],
  ])('%s is unsupported-format', (_what, key, content) => {
    expect(classify(key, content, true)).toEqual({ kind: 'refused', reason: 'unsupported-format' });
  });

  test('non-UTF-8 bytes under a text format name are unreadable-text', () => {
    for (const key of ['incoming/a.txt', 'incoming/a.CSV', 'incoming/a.md']) {
      expect(classify(key, bytes(0x63, 0x61, 0x66, 0xe9), true)).toEqual({
        kind: 'refused',
        reason: 'unreadable-text',
      });
    }
  });

  test('an all-ASCII PDF is a PDF, not text: its syntax would say nothing of the text extracted from it', () => {
    expect(classify('incoming/plain.pdf', utf8('%PDF-1.4\n1 0 obj <</Filter /ASCII85Decode>> stream'), true)).toEqual({
      kind: 'binary-document',
      format: 'pdf',
    });
    expect(classify('incoming/plain.txt', utf8('%PDF-1.4\n'), true)).toEqual({
      kind: 'refused',
      reason: 'unsupported-format',
    });
  });

  test('text under a text format name is text, and HTML and Markdown are marked as markup', () => {
    const text = utf8('Contact a@example.org');
    expect(classify('incoming/a.txt', text, true)).toEqual({ kind: 'text', markup: false });
    expect(classify('incoming/a.CSV', text, true)).toEqual({ kind: 'text', markup: false });
    expect(classify('incoming/a.html', text, true)).toEqual({ kind: 'text', markup: true });
    expect(classify('incoming/a.md', text, true)).toEqual({ kind: 'text', markup: true });
  });

  test('a name the knowledge base does not index is refused whatever it holds, text included', () => {
    const names = ['README', 'data.json', 'notes.md ', 'report.txt.bak', 'guide.markdown', 'page.htm', '.md'];
    for (const key of names) {
      expect([key, classify(`incoming/${key}`, utf8('{"email":"a@example.org"}'), true)]).toEqual([
        key,
        { kind: 'refused', reason: 'unsupported-format' },
      ]);
    }
  });

  test('a PDF or Office name on text is refused, not screened as text: the parser would not read it as text', () => {
    expect(classify('incoming/x.pdf', utf8('a@example.org'), true)).toEqual({
      kind: 'refused',
      reason: 'unsupported-format',
    });
  });

  test('a PDF header a little way into the file still makes a PDF', () => {
    expect(classify('incoming/x.pdf', utf8('\n\n  %PDF-1.4\n'), true)).toEqual({
      kind: 'binary-document',
      format: 'pdf',
    });
    expect(classify('incoming/x.txt', utf8(' '.repeat(100) + '%PDF-1.4\n'), true)).toEqual({
      kind: 'refused',
      reason: 'unsupported-format',
    });
  });

  test('a metadata sidecar is refused whatever it holds', () => {
    expect(classify('incoming/guide.md.METADATA.json', utf8('{}'), true)).toEqual({
      kind: 'refused',
      reason: 'metadata-sidecar',
    });
  });
});

describe('readableText', () => {
  test('decodes character references, numeric and named, as a parser would', () => {
    expect(readableText('j&#111;hn&#64;example&period;com &amp; j&#x6F;e&commat;example.org')).toBe(
      'john@example.com & joe@example.org',
    );
  });

  test('drops tags and comments, joining a token inline markup split', () => {
    expect(readableText('<p>Write to jo<b>hn</b>@exa<!-- x -->mple.com</p>')).toBe('Write to john@example.com');
  });

  test('leaves plain text, and a masked tag, as they are', () => {
    expect(readableText('a < b and {EMAIL} > c')).toBe('a < b and {EMAIL} > c');
  });
});
