#!/usr/bin/env node
// npm run golden:v2 [-- REV]: every figure of the v1 goldens at REV, checked at its v2 path.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/golden-v2.ts');
process.exitCode = main(process.argv.slice(2));
