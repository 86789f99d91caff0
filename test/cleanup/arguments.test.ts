import { parseCliArguments } from '../../scripts/cleanup/arguments';
import { ArgumentError } from '../../scripts/cleanup/errors';

const base = ['--project-name', 'Churn-2026'];

describe('parseCliArguments', () => {
  test('reads every option into the request; flags default to off', () => {
    expect(parseCliArguments(base)).toEqual({
      help: false,
      region: undefined,
      request: { projectName: 'Churn-2026', projectId: undefined, roleArn: undefined, dryRun: false, deleteModels: false, keepProject: false },
    });
    const all = parseCliArguments([...base, '--project-id', 'p-abcdefghijkl', '--region', 'eu-west-1', '--dry-run', '--delete-models',
      '--keep-project', '--role-arn', 'arn:aws:iam::111122223333:role/platform/admin']);
    expect(all.region).toBe('eu-west-1');
    expect(all.request).toEqual({
      projectName: 'Churn-2026',
      projectId: 'p-abcdefghijkl',
      roleArn: 'arn:aws:iam::111122223333:role/platform/admin',
      dryRun: true,
      deleteModels: true,
      keepProject: true,
    });
  });

  test('a project name starting with a digit is legal (CreateProject accepts it)', () => {
    expect(parseCliArguments(['--project-name', '2026-churn']).request.projectName).toBe('2026-churn');
  });

  test('--help needs no other option', () => {
    expect(parseCliArguments(['--help']).help).toBe(true);
  });

  test.each([
    [[], '--project-name is required'],
    [['--project-name'], "Option '--project-name <value>' argument missing"],
    [['--project-name', 'churn_2026'], "--project-name 'churn_2026' is not a SageMaker project name"],
    [['--project-name', 'A'.repeat(33)], 'is not a SageMaker project name (1-32'],
    [[...base, '--project-id', 'p-ABC'], "--project-id 'p-ABC' is not a SageMaker project id"],
    [[...base, '--region', 'Ireland'], "--region 'Ireland' is not an AWS region"],
    [[...base, '--role-arn', 'admin'], "--role-arn 'admin' is not an IAM role ARN"],
    [[...base, '--force'], "Unknown option '--force'"],
    [[...base, 'extra'], "Unexpected argument 'extra'"],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseCliArguments(argv)).toThrow(ArgumentError);
    expect(() => parseCliArguments(argv)).toThrow(message);
  });
});
