#!/usr/bin/env node
import { buildInferenceApp } from '../lib/inference-app';

/**
 * Synthesizes the inference stack to cdk.out/ and fails when cdk-nag (or CDK itself)
 * reported an error, so `npm run synth` is a gate and not just a file writer.
 */
function main(): void {
  const { app } = buildInferenceApp({ outdir: process.env.CDK_OUTDIR });
  const assembly = app.synth();
  const errors = assembly.stacks.flatMap((s) =>
    s.messages.filter((m) => m.level === 'error').map((m) => `${m.id}: ${String(m.entry.data)}`),
  );
  for (const s of assembly.stacks) {
    console.log(`synthesized ${s.stackName} -> ${s.templateFullPath}`);
  }
  if (errors.length > 0) {
    console.error(`synth found ${errors.length} error(s):\n${errors.join('\n')}`);
    process.exit(1);
  }
}

main();
