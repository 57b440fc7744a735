/** Run a script's main when the file is executed (not when a test imports it); exit with its code. */
export function runCli(module: NodeJS.Module, main: (argv: readonly string[]) => Promise<number>): void {
  if (require.main !== module) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
