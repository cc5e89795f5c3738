import { parseArgs } from 'node:util';

/**
 * The command-line surface every entry point shares (`npm run local`, `demo`, `invoke`,
 * `preflight`, `bench`, `simulate`): `--help` prints the usage and exits 0; an unknown or
 * malformed flag is one line plus the usage and exit 2; an expected failure (bad config, bad
 * topology, busy port) is one line and exit 1; only an unexpected error shows its stack, after
 * a one-line summary.
 */

/** One flag: its type, default, the word shown for its value, and one line of help. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly default?: string | boolean;
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's name in the usage, e.g. `PORT` (string flags only). */
  readonly value?: string;
  readonly help: string;
}

/** What a command accepts and how it is shown. */
export interface CliSpec<F extends Record<string, FlagSpec>> {
  /** As the user types it, e.g. `npm run local --`. */
  readonly command: string;
  /** Positional arguments as shown in the usage line, e.g. `<function> ['<json>']`. */
  readonly positionals?: string;
  /** At most this many positionals (default 0). */
  readonly maxPositionals?: number;
  readonly summary: string;
  readonly flags: F;
  readonly examples: readonly string[];
  /** Extra lines after the flags (where to read more). */
  readonly notes?: readonly string[];
}

type ValueOf<S extends FlagSpec> = S['type'] extends 'boolean'
  ? S['multiple'] extends true
    ? boolean[]
    : boolean
  : S['multiple'] extends true
    ? string[]
    : string;

/** Parsed flag values: flags with a default are always set. */
export type FlagValues<F extends Record<string, FlagSpec>> = {
  [K in keyof F]: F[K] extends { default: string | boolean } ? ValueOf<F[K]> : ValueOf<F[K]> | undefined;
};

/** The outcome of parsing: the values, a request for help, or a usage error. */
export type ParseOutcome<F extends Record<string, FlagSpec>> =
  | { kind: 'ok'; values: FlagValues<F>; positionals: string[] }
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; text: string };

/** A wrong command line; `main` wrappers print it with the usage and exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A failure the user can fix from its one-line message (a busy port, a missing file, a topology
 * that does not match the config): printed without a stack.
 */
export class ExpectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExpectedError';
  }
}

/** Errors of the project's own validation, whose messages already say what to fix. */
const EXPECTED_NAMES = new Set(['ExpectedError', 'ConfigError', 'TopologyError', 'InputError', 'EnvError']);

/** Declares a command; `const` keeps each flag's literal type so defaults type the values. */
export function defineCli<const F extends Record<string, FlagSpec>>(spec: CliSpec<F>): CliSpec<F> {
  return spec;
}

/** The usage text: summary, usage line, flags with their help, examples. */
export function usageText<F extends Record<string, FlagSpec>>(spec: CliSpec<F>): string {
  const flagWord = (name: string, f: FlagSpec) =>
    `--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}${f.short ? `, -${f.short}` : ''}`;
  const rows = Object.entries(spec.flags).map(([name, f]) => {
    const shown = f.default !== undefined && f.default !== false ? ` (default: ${String(f.default)})` : '';
    return [flagWord(name, f), `${f.help}${shown}`] as const;
  });
  rows.push(['--help, -h', 'print this help and exit']);
  const width = Math.min(28, Math.max(...rows.map(([w]) => w.length)) + 2);
  return [
    `usage: ${spec.command}${spec.positionals ? ` ${spec.positionals}` : ''} [options]`,
    '',
    spec.summary,
    '',
    'options:',
    ...rows.map(([w, h]) =>
      w.length + 2 > width ? `  ${w}\n  ${' '.repeat(width)}${h}` : `  ${w.padEnd(width)}${h}`,
    ),
    '',
    'examples:',
    ...spec.examples.map((e) => `  ${e}`),
    ...(spec.notes && spec.notes.length > 0 ? ['', ...spec.notes] : []),
  ].join('\n');
}

/** Parses `argv` against `spec` without printing or exiting (tests and in-process callers). */
export function parseCli<F extends Record<string, FlagSpec>>(
  spec: CliSpec<F>,
  argv: readonly string[],
): ParseOutcome<F> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, f] of Object.entries(spec.flags)) {
    options[name] = {
      type: f.type,
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    return { kind: 'usage-error', text: `${spec.command}: ${oneLine(error)}\n\n${usageText(spec)}` };
  }
  if (parsed.values.help) return { kind: 'help', text: usageText(spec) };
  const max = spec.maxPositionals ?? 0;
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max).join(' ');
    return {
      kind: 'usage-error',
      text: `${spec.command}: unexpected argument ${JSON.stringify(extra)}\n\n${usageText(spec)}`,
    };
  }
  const values: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec.flags)) values[name] = parsed.values[name] ?? f.default;
  return { kind: 'ok', values: values as FlagValues<F>, positionals: parsed.positionals };
}

/**
 * Parses `process.argv` for an entry point: prints the help and exits 0, or prints the error
 * with the usage and exits 2; otherwise returns the values.
 */
export function parseCliOrExit<F extends Record<string, FlagSpec>>(
  spec: CliSpec<F>,
  argv: readonly string[] = process.argv.slice(2),
): { values: FlagValues<F>; positionals: string[] } {
  const outcome = parseCli(spec, argv);
  if (outcome.kind === 'help') {
    process.stdout.write(`${outcome.text}\n`);
    process.exit(0);
  }
  if (outcome.kind === 'usage-error') {
    process.stderr.write(`${outcome.text}\n`);
    process.exit(2);
  }
  return outcome;
}

/** Node's parseArgs messages carry a hint after the first line; keep the first. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0] ?? message;
  // "Unknown option '--x'. To specify a positional argument starting with a '-', ..." -> the first sentence.
  return first.replace(/\. To specify a positional argument.*$/, '.');
}

/** True for an error whose message is the whole story (no stack needed). */
export function isExpected(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (EXPECTED_NAMES.has(error.name)) return true;
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EADDRINUSE' || code === 'ENOENT' || code === 'EACCES';
}

/**
 * How an entry point ends on an error: a usage error with the usage (exit 2), an expected
 * error as its message (exit 1), anything else as a one-line summary and then the stack.
 */
export function reportFailure(what: string, error: unknown, usage?: string): number {
  if (error instanceof UsageError) {
    process.stderr.write(`${what}: ${error.message}${usage ? `\n\n${usage}` : ''}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isExpected(error)) {
    process.stderr.write(`${what}: ${message}\n`);
    return 1;
  }
  process.stderr.write(`${what} failed unexpectedly: ${message.split('\n')[0]}\n`);
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}

/** Runs an entry point's `main`, setting the exit code from its result or its failure. */
export function runMain(what: string, main: () => Promise<number | undefined>, usage?: string): void {
  main().then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (error: unknown) => {
      process.exit(reportFailure(what, error, usage));
    },
  );
}
