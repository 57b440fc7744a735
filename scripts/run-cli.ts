/**
 * Runs a command declared with scripts/cli/command.ts: parse, --help, then the
 * command's work, with one exit-code convention for every script:
 * 0 success, 1 a check or AWS call failed, 2 a bad command line.
 */
import { AwsSetupError, credentialProblem, silenceNodeVersionNotice } from './cli/aws';
import {
  type CommandSpec,
  EXIT,
  helpText,
  type OptionSpecs,
  type Parsed,
  parseCommand,
  UsageError,
} from './cli/command';
import { type Io, processIo } from './cli/output';

export type CommandMain<O extends OptionSpecs> = (parsed: Parsed<O>, io: Io) => Promise<number>;

/** Run `main` for `argv`; returns the exit code (usage errors and failures are reported, not thrown). */
export async function execute<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  main: CommandMain<O>,
  io: Io = processIo(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const usage = (error: UsageError) => {
    io.err(`npm run ${spec.name}: ${error.message}`);
    io.err(`See: npm run ${spec.name} -- --help`);
    return EXIT.usage;
  };
  let parsed: Parsed<O>;
  try {
    parsed = parseCommand(spec, argv);
  } catch (error) {
    if (error instanceof UsageError) return usage(error);
    throw error;
  }
  if (parsed.help) {
    io.out(helpText(spec));
    return EXIT.ok;
  }
  try {
    return await main(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) return usage(error);
    if (error instanceof AwsSetupError) {
      io.err(error.message);
      return EXIT.failed;
    }
    const values = parsed.values as Record<string, unknown>;
    const profile = typeof values.profile === 'string' ? values.profile : env.AWS_PROFILE;
    io.err(
      credentialProblem(error, profile) ??
        `npm run ${spec.name}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return EXIT.failed;
  }
}

/** Run the command when its file is executed (not when a test imports it), then exit with its code. */
export function runCommand<O extends OptionSpecs>(
  module: NodeJS.Module,
  spec: CommandSpec<O>,
  main: CommandMain<O>,
): void {
  if (require.main !== module) return;
  silenceNodeVersionNotice();
  void execute(spec, process.argv.slice(2), main).then((code) => {
    // Exit once stdout is flushed (a pipe may still hold output); open SDK sockets must not keep us alive.
    process.stdout.write('', () => process.exit(code));
  });
}
