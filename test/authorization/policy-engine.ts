import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { IamWorld, NamedPolicy, RoleModel } from './iam-world';

/**
 * One AWS request the project's flow makes, and who makes it. `principal` is a role name of the
 * evaluated templates, or a service principal (`codebuild.amazonaws.com`) for AssumeRole and for
 * calls a service makes on a resource policy's grant (Lambda pulling an image).
 */
export interface Call {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  /** Where the call comes from (a template resource, a buildspec line, a seed script). */
  readonly source: string;
}

export interface Decision {
  readonly call: Call;
  readonly result: string;
  /** `<policy name>#<Sid>` of every Allow statement that matched. */
  readonly usedStatements: string[];
  readonly error?: string;
}

/**
 * Services whose actions the engine cannot validate against a resource type: iam-data holds only
 * the API Gateway (REST, V1) management reference under `apigateway`; the HTTP API (V2) resource
 * types (/apis, /apis/{id}/routes, ...) are attached to no action, so every V2 ARN fails
 * validation. These calls are evaluated by the same engine without input validation.
 */
const UNVALIDATED_SERVICES = ['apigateway'];

/**
 * The engine's unvalidated evaluation returns only the result, so the statements a call uses are
 * found by evaluating each Allow statement alone (with the same boundary and resource policy).
 */
function decideUnvalidated(call: Call, simulation: Simulation): Decision {
  const result = runUnsafeSimulation(simulation, {});
  const used: string[] = [];
  if (result === 'Allowed') {
    for (const policy of simulation.identityPolicies) {
      for (const statement of policy.policy.Statement.filter((st: { Effect: string }) => st.Effect === 'Allow')) {
        const alone = { ...simulation, identityPolicies: [{ name: policy.name, policy: { ...policy.policy, Statement: [statement] } }] };
        if (runUnsafeSimulation(alone, {}) === 'Allowed') used.push(`${policy.name}#${statement.Sid}`);
      }
    }
    for (const boundary of simulation.permissionBoundaryPolicies ?? []) {
      for (const statement of boundary.policy.Statement.filter((st: { Effect: string }) => st.Effect === 'Allow')) {
        const only = { name: boundary.name, policy: { ...boundary.policy, Statement: [statement] } };
        const alone = { ...simulation, permissionBoundaryPolicies: [only] };
        if (runUnsafeSimulation(alone, {}) === 'Allowed') used.push(`${boundary.name}#${statement.Sid}`);
      }
    }
  }
  return { call, result, usedStatements: used };
}

/**
 * ARNs that match several resource types of their action in iam-data, because the types share one
 * ARN shape: Lambda's "function alias" and "function version" are both `function:<name>:<qualifier>`
 * (provisioned concurrency calls take either). Such calls are evaluated without input validation.
 */
const AMBIGUOUS_ARN_SHAPES = [/^arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+:[^:]+$/];

const isServicePrincipal = (p: string) => p.endsWith('.amazonaws.com');

/**
 * Asks @cloud-copilot/iam-simulate whether AWS would allow `call`: identity policies ∩ permissions
 * boundary, plus the resource policy of the target (a role's trust policy for sts:AssumeRole).
 * Every call carries `aws:SecureTransport` (all AWS SDK and CLI calls use TLS).
 */
export async function decide(world: IamWorld, call: Call, account: string): Promise<Decision> {
  const assuming = call.action === 'sts:AssumeRole';
  const resourcePolicy: NamedPolicy | undefined = assuming ? world.roleByArn(call.resource).trust : world.resourcePolicyFor(call.resource);
  const role = isServicePrincipal(call.principal) ? undefined : world.role(call.principal);
  return decideOn(call, { role, resourcePolicy }, account);
}

/** The policies a call is evaluated on: the calling role's (none for a service principal), and the target's resource policy. */
export interface CallPolicies {
  readonly role?: Pick<RoleModel, 'arn' | 'identity' | 'boundary'>;
  readonly resourcePolicy?: NamedPolicy;
}

/** `decide` on policies given directly rather than found in an IamWorld. */
export async function decideOn(call: Call, { role, resourcePolicy }: CallPolicies, account: string): Promise<Decision> {
  const simulation: Simulation = {
    request: {
      principal: role ? role.arn : call.principal,
      action: call.action,
      resource: { resource: call.resource, accountId: account },
      contextVariables: { 'aws:SecureTransport': 'true', ...(role ? { 'aws:PrincipalArn': role.arn } : {}), ...call.context },
    },
    identityPolicies: role ? role.identity.map((p) => ({ name: p.name, policy: p.policy })) : [],
    permissionBoundaryPolicies: role?.boundary ? [{ name: role.boundary.name, policy: role.boundary.policy }] : undefined,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: resourcePolicy?.policy,
  };
  if (UNVALIDATED_SERVICES.some((service) => call.action.startsWith(`${service}:`))) {
    return decideUnvalidated(call, simulation);
  }
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error' && JSON.stringify(response.errors).includes('multiple.resource.types')
    && AMBIGUOUS_ARN_SHAPES.some((shape) => shape.test(call.resource))) {
    // The unvalidated engine cannot read a resource policy here (it throws); for a same-account role only a
    // Deny in it could change the decision, so there must be none.
    if (role === undefined || resourcePolicy?.policy.Statement.some((st) => st.Effect === 'Deny')) {
      throw new Error(`cannot evaluate ${call.action} on ${call.resource} for ${call.principal} without input validation`);
    }
    return decideUnvalidated(call, { ...simulation, resourcePolicy: undefined });
  }
  if (response.resultType === 'error') {
    return { call, result: 'Error', usedStatements: [], error: JSON.stringify(response.errors) };
  }
  const results = response.resultType === 'single' ? [response.result] : response.results;
  const used = new Set<string>();
  for (const { analysis } of results) {
    for (const s of analysis.identityAnalysis?.allowStatements ?? []) used.add(`${s.policyId}#${s.statement.sid()}`);
    for (const s of analysis.permissionBoundaryAnalysis?.allowStatements ?? []) used.add(`${s.policyId}#${s.statement.sid()}`);
    for (const s of analysis.resourceAnalysis?.allowStatements ?? []) used.add(`${resourcePolicy?.name}#${s.statement.sid()}`);
  }
  return { call, result: response.overallResult, usedStatements: [...used] };
}
