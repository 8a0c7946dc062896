#!/usr/bin/env node
// The m3c command: runs the TypeScript sources through tsx's loader (no build step).
// Ctrl-C is caught before the (slow) module loading so that an early interrupt still cancels
// cleanly with exit status 130 instead of killing the process mid-write.
import { register } from 'tsx/esm/api';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  process.stderr.write('\nm3c: cancelling (Ctrl-C again to force)\n');
  controller.abort();
});

register();
const { main } = await import('../src/main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), controller);
