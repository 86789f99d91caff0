import * as fs from 'fs';
import * as path from 'path';
import { CONNECTIONS_CONFIG_FILE, CONNECTIONS_SYNTH_DIR, SYNTH_DIR, TEST_CONFIG_FILE, TEST_ENV } from './synthesized-app';
import { createProductApp } from '../product/product-app';

/** Synthesizes the real app once for all test files (a synth takes seconds; tests only read its output). */
export default async function globalSetup(): Promise<void> {
  // The default configuration, and the same one with the repositories behind CodeConnections connections.
  const runs: Array<[configFile: string, outdir: string, snapshots: string]> = [
    [TEST_CONFIG_FILE, SYNTH_DIR, path.join(SYNTH_DIR, '..', 'product-stack-snapshots')],
    [CONNECTIONS_CONFIG_FILE, CONNECTIONS_SYNTH_DIR, path.join(SYNTH_DIR, '..', 'product-stack-snapshots-codeconnections')],
  ];
  for (const [configFile, outdir, snapshots] of runs) {
    fs.rmSync(outdir, { recursive: true, force: true });
    const { app } = createProductApp({
      configFile,
      appProps: { outdir },
      ...TEST_ENV,
      snapshotDirectory: snapshots,
    });
    app.synth();
  }
}
