import * as fs from 'fs';
import * as path from 'path';
import { SYNTH_DIR, TEST_CONFIG_FILE, TEST_ENV } from './synthesized-app';
import { createProductApp } from '../product/product-app';

/** Synthesizes the real app once for all test files (a synth takes seconds; tests only read its output). */
export default async function globalSetup(): Promise<void> {
  fs.rmSync(SYNTH_DIR, { recursive: true, force: true });
  const { app } = createProductApp({
    configFile: TEST_CONFIG_FILE,
    appProps: { outdir: SYNTH_DIR },
    ...TEST_ENV,
    snapshotDirectory: path.join(SYNTH_DIR, '..', 'product-stack-snapshots'),
  });
  app.synth();
}
