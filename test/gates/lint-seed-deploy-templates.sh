#!/usr/bin/env bash
# Gate: cfn-lint the seed ModelDeploy template once per stage, with that stage's parameters.
#
# 1. `npm run synth` in seed-repos/model-deploy (fails on cdk-nag errors) writes
#    cdk.out/InferenceService.template.json.
# 2. The seed's own export step (scripts/export-configs.ts, the function `npm run export-configs`
#    runs in the build) writes template-export.json, staging-config-export.json and
#    prod-config-export.json into a temp dir, from placeholder-but-valid build inputs (the env
#    variables CodeBuild sets and the build/model.json resolve-model would write, here a temp file).
#    The exported template must equal the synthesized one.
# 3. Each CodePipeline template configuration ({"Parameters": {...}, "Tags": {...}}) is converted
#    to cfn-lint's parameter-file format ([{"ParameterKey", "ParameterValue"}]) and cfn-lint runs on
#    the template with it. cfn-lint's E2900 catches unknown, missing and not-allowed parameter values;
#    it does not check AllowedPattern, MinValue/MaxValue, MinLength/MaxLength or Number types, so a
#    small check here applies those the way CloudFormation will.
# 4. Self-check: a configuration with a bad value must fail both checks (otherwise the gate is blind).
#
# Run from the repository root; expects .venv (npx projen setup:python) and the seed's node_modules
# (npm ci). Any cfn-lint error or warning fails the gate. Leaves nothing behind but the seed's
# gitignored cdk.out/.
set -euo pipefail

if [[ ! -f .projenrc.ts || ! -d seed-repos/model-deploy ]]; then
  echo "lint-seed-deploy-templates: run me from the repository root" >&2
  exit 2
fi

SEED=seed-repos/model-deploy
TEMPLATE="$SEED/cdk.out/InferenceService.template.json"
PYTHON=.venv/bin/python
CFN_LINT=(.venv/bin/cfn-lint --config-file .cfnlintrc.yaml --non-zero-exit-code informational)
STAGES=(staging prod)

# Placeholder-but-valid build inputs (what CodeBuild and resolve-model provide in the pipeline).
PROJECT_NAME=abalone-inference-demo
PROJECT_ID=p-abcdef123456
ECR_REPOSITORY_NAME="sagemaker-${PROJECT_ID}-inference"
IMAGE_TAG=v3-0123abcd
LAMBDA_EXECUTION_ROLE_ARN="arn:aws:iam::111122223333:role/sagemaker-${PROJECT_ID}-inference-lambda"
CODEDEPLOY_ROLE_ARN="arn:aws:iam::111122223333:role/sagemaker-${PROJECT_ID}-inference-codedeploy"
# Always set in the pipeline (the project's notification topic); the alarms then notify it.
NOTIFICATION_TOPIC_ARN="arn:aws:sns:eu-west-1:111122223333:sagemaker-${PROJECT_ID}-notifications"
MODEL_PACKAGE_ARN="arn:aws:sagemaker:eu-west-1:111122223333:model-package/${PROJECT_NAME}-${PROJECT_ID}/3"
MODEL_PACKAGE_VERSION=3

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== synth: $SEED (npm run synth)"
(cd "$SEED" && env -u CDK_OUTDIR npm run --silent synth)
[[ -f "$TEMPLATE" ]] || { echo "lint-seed-deploy-templates: synth did not write $TEMPLATE" >&2; exit 1; }

echo "== export-configs: template configurations for ${STAGES[*]} -> temp dir"
cat > "$WORK/model.json" <<EOF
{
  "packageGroupName": "${PROJECT_NAME}-${PROJECT_ID}",
  "packageArn": "${MODEL_PACKAGE_ARN}",
  "version": ${MODEL_PACKAGE_VERSION},
  "modelDataUrl": "s3://sagemaker-project-${PROJECT_ID}/models/model.tar.gz",
  "creationTime": "2024-01-01T00:00:00.000Z"
}
EOF
(
  cd "$SEED"
  env SAGEMAKER_PROJECT_NAME="$PROJECT_NAME" SAGEMAKER_PROJECT_ID="$PROJECT_ID" \
    ECR_REPOSITORY_NAME="$ECR_REPOSITORY_NAME" IMAGE_TAG="$IMAGE_TAG" \
    LAMBDA_EXECUTION_ROLE_ARN="$LAMBDA_EXECUTION_ROLE_ARN" CODEDEPLOY_ROLE_ARN="$CODEDEPLOY_ROLE_ARN" \
    NOTIFICATION_TOPIC_ARN="$NOTIFICATION_TOPIC_ARN" \
    EXPORT_OUT_DIR="$WORK" \
    node_modules/.bin/ts-node --transpileOnly -e "
      import * as path from 'path';
      import { exportConfigs } from './scripts/export-configs';
      import { defaultConfigDir } from './lib/stage-config';
      const out = process.env.EXPORT_OUT_DIR as string;
      exportConfigs([], process.env, {
        outDir: out,
        configDir: defaultConfigDir(),
        modelFile: path.join(out, 'model.json'),
        cdkOutDir: path.join(out, 'cdk.out'),
      }).catch((err) => { console.error('export-configs: ' + err.message); process.exit(1); });
    "
)

# Template equality, conversion to cfn-lint's format, and the value checks cfn-lint does not make.
"$PYTHON" - "$TEMPLATE" "$WORK" "${STAGES[@]}" <<'EOF'
import json, sys
from pathlib import Path

template_path, work, stages = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
template = json.loads(Path(template_path).read_text())
if json.loads((work / "template-export.json").read_text()) != template:
    sys.exit(f"lint-seed-deploy-templates: export-configs' template-export.json differs from {template_path}")
for stage in stages:
    configuration = json.loads((work / f"{stage}-config-export.json").read_text())
    if set(configuration) != {"Parameters", "Tags"}:
        sys.exit(f"{stage}-config-export.json: expected keys Parameters and Tags, got {sorted(configuration)}")
    parameters = [{"ParameterKey": k, "ParameterValue": v} for k, v in configuration["Parameters"].items()]
    (work / f"{stage}.parameters.json").write_text(json.dumps(parameters, indent=2) + "\n")
EOF

check_values() {  # check_values <parameter file>: AllowedPattern, Number, Min/MaxValue, Min/MaxLength
  "$PYTHON" - "$TEMPLATE" "$1" <<'EOF'
import json, math, re, sys

declared = json.load(open(sys.argv[1])).get("Parameters", {})
problems = []
for item in json.load(open(sys.argv[2])):
    key, value = item["ParameterKey"], item["ParameterValue"]
    decl = declared.get(key)
    if decl is None:
        continue  # cfn-lint E2900 reports unknown keys
    if decl.get("Type") == "Number":
        try:
            number = float(value)
            assert math.isfinite(number)
        except (ValueError, AssertionError):
            problems.append(f"{key}={value!r} is not a number")
            continue
        if "MinValue" in decl and number < float(decl["MinValue"]):
            problems.append(f"{key}={value} is below MinValue {decl['MinValue']}")
        if "MaxValue" in decl and number > float(decl["MaxValue"]):
            problems.append(f"{key}={value} is above MaxValue {decl['MaxValue']}")
    else:
        if "MinLength" in decl and len(value) < int(decl["MinLength"]):
            problems.append(f"{key}={value!r} is shorter than MinLength {decl['MinLength']}")
        if "MaxLength" in decl and len(value) > int(decl["MaxLength"]):
            problems.append(f"{key}={value!r} is longer than MaxLength {decl['MaxLength']}")
        if "AllowedPattern" in decl and not re.fullmatch(decl["AllowedPattern"], value):
            problems.append(f"{key}={value!r} does not match AllowedPattern {decl['AllowedPattern']}")
if problems:
    print(f"{sys.argv[2]}: parameter values CloudFormation would reject:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
EOF
}

for stage in "${STAGES[@]}"; do
  params="$WORK/$stage.parameters.json"
  echo "== cfn-lint: $TEMPLATE with the $stage template configuration (${stage}-config-export.json)"
  "${CFN_LINT[@]}" --parameter-files "$params" -- "$TEMPLATE"
  check_values "$params"
  echo "   ok: $stage"
done

echo "== self-check: a bad configuration must fail"
"$PYTHON" - "$WORK/staging.parameters.json" "$WORK/bad-stage.parameters.json" "$WORK/bad-pattern.parameters.json" <<'EOF'
import json, sys
good = json.load(open(sys.argv[1]))
def with_value(key, value):
    return [dict(p, ParameterValue=value) if p["ParameterKey"] == key else p for p in good]
json.dump(with_value("Stage", "qa"), open(sys.argv[2], "w"))
json.dump(with_value("ProjectId", "P_not-a-project-id"), open(sys.argv[3], "w"))
EOF
if lint_output="$("${CFN_LINT[@]}" --parameter-files "$WORK/bad-stage.parameters.json" -- "$TEMPLATE" 2>&1)"; then
  echo "lint-seed-deploy-templates: cfn-lint accepted Stage=qa; it is not checking the parameter values" >&2
  exit 1
fi
grep -q "E2900" <<<"$lint_output" || { echo "lint-seed-deploy-templates: expected E2900 for Stage=qa, got:" >&2; echo "$lint_output" >&2; exit 1; }
if check_values "$WORK/bad-pattern.parameters.json" 2>/dev/null; then
  echo "lint-seed-deploy-templates: the value check accepted ProjectId=P_not-a-project-id" >&2
  exit 1
fi
echo "   ok: Stage=qa fails cfn-lint (E2900); ProjectId=P_not-a-project-id fails the AllowedPattern check"

echo "lint-seed-deploy-templates: passed ($TEMPLATE; stages: ${STAGES[*]})"
