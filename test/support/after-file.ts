import { stopIdleRenderWorker } from '../../lib/synth/render-pool';

/**
 * Runs when each test file ends (jest `setupFilesAfterEnv`): each test file has its own module registry,
 * so its own render-pool module and kept render worker (lib/synth/render-pool.ts idleWorker), which no later file
 * reuses. Stopped when the file ends, so the one jest process does not hold a worker (and its memory) per file.
 */
afterAll(() => stopIdleRenderWorker());
