import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, Stack, Stage } from 'aws-cdk-lib';
import { ProductStack } from 'aws-cdk-lib/aws-servicecatalog';

/** cfn-guard's JSON report grows with every template and rule; Node's default 1 MiB stdout buffer would fail synth with ENOBUFS. */
const GUARD_OUTPUT_BUFFER_BYTES = 64 * 1024 * 1024;

/**
 * `CfnGuardValidator` with AWS Control Tower's proactive controls, over the product templates too. CDK hands a
 * validation plugin the templates of the assembly's stacks only; a ProductStack's template is a file asset of its parent
 * stack (`cdk.out/*.product.template.json`), so the plugin alone never sees what Service Catalog provisions. This adds
 * those templates; CDK maps each finding back to its construct, so acknowledgements work the same in both.
 */
export class ControlTowerGuard implements IPolicyValidationPluginBeta1 {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];
  private readonly guard: CfnGuardValidator;

  constructor() {
    this.guard = new CfnGuardValidator({ maxBuffer: GUARD_OUTPUT_BUFFER_BYTES });
    // The same name keeps CDK's acknowledgement ids `cdk-validator-cfnguard::<rule>`.
    this.name = this.guard.name;
    this.version = this.guard.version;
    this.ruleIds = this.guard.ruleIds;
  }

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const validated = new Set(context.templatePaths.map((file) => path.resolve(file)));
    const productTemplates = context.appConstruct.node.findAll()
      .filter((c): c is ProductStack => c instanceof ProductStack)
      // The products of the stacks CDK is validating here; ProductStack templates are written next to their parent's.
      .filter((productStack) => validated.has(templatePath(Stack.of(productStack.node.scope!))))
      .map(templatePath);
    return this.guard.validate({ ...context, templatePaths: [...context.templatePaths, ...productTemplates] });
  }
}

function templatePath(stack: Stack): string {
  return path.resolve(Stage.of(stack)!.outdir, stack.templateFile);
}
