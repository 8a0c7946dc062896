// Loaded with NODE_OPTIONS=--import where /usr/bin/time is missing: writes this process's peak
// resident memory (KiB) to $M3C_TEST_MAXRSS_FILE on exit.
import { writeFileSync } from 'node:fs';

const out = process.env.M3C_TEST_MAXRSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, `M3C_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`));
