/**
 * loanflow command line. Bad input prints one line, `error: <field>: <message>`, on stderr and exits 2;
 * anything unexpected prints one line too and exits 1. Never a stack trace: the operator reading it needs
 * the field, not our internals.
 */
import { DomainError } from '../domain/errors';
import { FIELD_OF_FLAG, QUOTE_USAGE, runQuote } from './quote';

const USAGE = `usage: npm run -s cli -- <command> [options]

commands:
  quote    trial calculation: schedule, totals and APR

${QUOTE_USAGE}
`;

export function main(argv: string[]): number {
  const out = (text: string) => process.stdout.write(text);
  const fail = (field: string, message: string, code: number) => {
    process.stderr.write(`error: ${field}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    return code;
  };
  const [command, ...rest] = argv;
  try {
    if (command === undefined) return fail('command', 'missing command; try --help', 2);
    if (command === '--help' || command === '-h' || command === 'help') {
      out(USAGE);
      return 0;
    }
    if (command === 'quote') {
      runQuote(rest, out);
      return 0;
    }
    return fail('command', `unknown command "${command}"; try --help`, 2);
  } catch (e) {
    if (e instanceof DomainError) return fail(e.field, e.message, 2);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      const message = (e as Error).message;
      const flag = /Option '--([\w-]+)/.exec(message)?.[1];
      const field =
        code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || !flag
          ? 'arguments'
          : (FIELD_OF_FLAG[flag] ?? 'arguments');
      return fail(field, message, 2);
    }
    return fail('internal', e instanceof Error ? e.message : String(e), 1);
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
