import * as fs from 'fs';
import { TEST_ENV } from './synthesized-app';
import { createProductApp } from '../product/product-app';

/**
 * Synthesizes the real app from `configFile` into a fresh `outdir`, for the test account and region, with its
 * product stack snapshots in `snapshots`. Apart from test/synthesized-app.ts so that the tests that only read
 * a synthesized app do not load the app's code.
 */
export function synthesizeApp(configFile: string, outdir: string, snapshots: string): void {
  fs.rmSync(outdir, { recursive: true, force: true });
  const { app } = createProductApp({
    configFile,
    appProps: { outdir },
    ...TEST_ENV,
    snapshotDirectory: snapshots,
  });
  app.synth();
}
