#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so what runs is never a stale build.
import { register } from 'tsx/esm/api';

register();
const { cli } = await import('../src/cli/main.ts');
await cli();
