/**
 * A problem the operator can act on. The CLI prints its message alone (never a stack trace) and
 * exits 1: something the project deployed may still exist, and the message says what and why.
 */
export class CleanupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CleanupError';
  }
}

/** A bad command line: printed with the usage, exit code 2, nothing in the account was touched. */
export class ArgumentError extends CleanupError {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

/** The SDK v3 error name (`ValidationError`, `ResourceNotFound`, ...) of a service exception, if any. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * True when a service says the resource is not there. CloudFormation answers DescribeStacks with a
 * `ValidationError` "Stack with id X does not exist"; SageMaker with `ResourceNotFound`, or a
 * `ValidationException` "... does not exist" for some Describe calls (e.g. DescribeModelPackageGroup,
 * which the CloudFormation handler of AWS::SageMaker::ModelPackageGroup matches the same way).
 */
export function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'ResourceNotFound' || name === 'ResourceNotFoundException' || name === 'PipelineNotFoundException') return true;
  return (name === 'ValidationError' || name === 'ValidationException') && /does not exist|not found/i.test(errorMessage(error));
}
