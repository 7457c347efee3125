#!/usr/bin/env node
// npm run golden:v2 [-- REV | -- --against DIR]: every figure of the v1 goldens at REV (or of every
// scenario and variant run through the v1 build in DIR), checked at its v2 path.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/golden-v2.ts');
process.exitCode = await main(process.argv.slice(2));
