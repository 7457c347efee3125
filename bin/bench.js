#!/usr/bin/env node
// npm run bench: speed figures (a benchmark that prints, not a test that asserts).
import { register } from 'tsx/esm/api';

register();
const { bench } = await import('../test/bench/bench.ts');
await bench(process.argv.slice(2));
