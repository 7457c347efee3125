// Tests that spawn `sim` or render whole reports take seconds each, and much longer when the
// 2-core machine is busy; a minute per test keeps them from failing on load while a hang
// still fails.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
