/**
 * Where a command writes: results on stdout (text for people, or one JSON
 * document with --json), progress and diagnostics on stderr so stdout stays
 * clean for a pipe. Colour only on a terminal, never when NO_COLOR is set
 * (https://no-color.org/).
 */

export interface Io {
  /** Results (stdout). */
  out(text: string): void;
  /** Diagnostics (stderr), one line each. */
  err(text: string): void;
  /** Progress of anything that waits (stderr). */
  progress(text: string): void;
  readonly colour: Colour;
}

export interface Colour {
  ok(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** Colour when the stream is a terminal and NO_COLOR is absent or empty. */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export function colour(enabled: boolean): Colour {
  const sgr = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return { ok: sgr(32, 39), bad: sgr(31, 39), warn: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    progress: (text) => process.stderr.write(`… ${text}\n`),
    colour: colour(colourEnabled(process.stdout)),
  };
}

/** Everything written, for tests. */
export function captureIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (text: string) => {
      io.stdout += text.endsWith('\n') ? text : `${text}\n`;
    },
    err: (text: string) => {
      io.stderr += `${text}\n`;
    },
    progress: (text: string) => {
      io.stderr += `… ${text}\n`;
    },
    colour: colour(false),
  };
  return io;
}

/** Print a JSON document (two-space indented, newline-terminated). */
export function json(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Columns aligned by the visible width (colour codes do not count), two spaces
 * apart, indented two. The last column is not padded.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // eslint-disable-next-line no-control-regex
  const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    `  ${cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - visible(c))))
      .join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
