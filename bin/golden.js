#!/usr/bin/env node
// npm run golden: regenerate test/golden/*.summary.json on purpose, after a meant change.
import { register } from 'tsx/esm/api';

register();
const { regenerateGoldens } = await import('../src/cli/tasks.ts');
regenerateGoldens();
