export default function globalTeardown(): void {
  (globalThis as { __loanflowPg?: { stop(): void } }).__loanflowPg?.stop();
}
