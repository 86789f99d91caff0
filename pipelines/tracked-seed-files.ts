import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The files git tracks in `seedDirectory` (paths relative to it). A seed repo is exactly what is
 * committed: whatever else lies in the folder (.env files, caches, coverage, a trained model, build
 * output) is never seeded into a project, on any machine.
 */
function trackedSeedFiles(seedDirectory: string): string[] {
  let listing: string;
  try {
    listing = execFileSync('git', ['ls-files', '-z', '--cached', '--', '.'], { cwd: seedDirectory, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`cannot list the seed files of ${seedDirectory} with git (seed repos are what git tracks; synthesize from a git clone): `
      + `${(error as Error).message.split('\n')[0]}`);
  }
  // A tracked file deleted from the working tree is not seeded, as it would not be after the next commit.
  const files = listing.split('\0').filter((f) => f && fs.existsSync(path.join(seedDirectory, f))).sort();
  if (files.length === 0) throw new Error(`git tracks no files in ${seedDirectory}: nothing to seed`);
  return files;
}

/** One copy per seed folder and process: both products seed the same ModelBuild folder. */
const copies = new Map<string, string>();

/**
 * A copy of the tracked files of `seedDirectory` in a fresh folder, removed when the process exits
 * (CDK has copied the asset into cdk.out by then). The asset hash depends only on paths and contents.
 */
export function trackedSeedCopy(seedDirectory: string): string {
  const existing = copies.get(path.resolve(seedDirectory));
  if (existing) return existing;
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), `seed-${path.basename(seedDirectory)}-`));
  if (copies.size === 0) process.once('exit', () => copies.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
  copies.set(path.resolve(seedDirectory), copy);
  for (const file of trackedSeedFiles(seedDirectory)) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(seedDirectory, file), path.join(copy, file));
  }
  return copy;
}
