#!/usr/bin/env node
// npm run reports: regenerate the committed report gallery in reports/.
import { register } from 'tsx/esm/api';

register();
const { regenerateReports } = await import('../src/cli/tasks.ts');
await regenerateReports();
