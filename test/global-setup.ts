import * as path from 'path';
import { synthesizeApp } from './synthesize';
import { CONNECTIONS_CONFIG_FILE, CONNECTIONS_SYNTH_DIR, SYNTH_DIR, TEST_CONFIG_FILE } from './synthesized-app';

/** Synthesizes the real app once for all test files (a synth takes seconds; tests only read its output). */
export default async function globalSetup(): Promise<void> {
  // The default configuration, and the same one with the repositories behind CodeConnections connections.
  const runs: Array<[configFile: string, outdir: string, snapshots: string]> = [
    [TEST_CONFIG_FILE, SYNTH_DIR, path.join(SYNTH_DIR, '..', 'product-stack-snapshots')],
    [CONNECTIONS_CONFIG_FILE, CONNECTIONS_SYNTH_DIR, path.join(SYNTH_DIR, '..', 'product-stack-snapshots-codeconnections')],
  ];
  for (const [configFile, outdir, snapshots] of runs) synthesizeApp(configFile, outdir, snapshots);
}
