// Tests that spawn `sim` or render whole reports take seconds each, and much longer when the
// 2-core machine is busy; a minute per test keeps them from failing on load while a hang
// still fails.
import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One test file per core (vitest's default leaves one core free: on this 2-core machine that
    // ran the whole suite on one worker, 9 min instead of 5). Tests that spawn `sim` share the cores.
    maxWorkers: os.availableParallelism(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
