"""Validate config/*.json and write the CloudFormation template and one template configuration per stage.

Usage:  python scripts/export_configs.py [--model build/model.json] [--inference-code build/inference-code.json]
                                         [--config-dir config] [--output-dir .]

Environment: SAGEMAKER_PROJECT_NAME, SAGEMAKER_PROJECT_ID, MODEL_EXECUTION_ROLE_ARN (required);
NOTIFICATION_TOPIC_ARN (the project's SNS topic, set by the pipeline; unset = alarms without actions);
EXPORT_TEMPLATE_NAME (default template-export.yml), EXPORT_TEMPLATE_STAGING_CONFIG (default
staging-config-export.json), EXPORT_TEMPLATE_PROD_CONFIG (default prod-config-export.json).

Each configuration is in CodePipeline's template configuration format:
{"Parameters": {...all strings...}, "Tags": {"sagemaker:project-name", "sagemaker:project-id", "stage"}}.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Mapping

from cli import INFERENCE_CODE_FILE, MODEL_FILE, ROOT, CliError, read_json_file, require_env, run_main
from stage_config import STAGES, StageConfig, load_stage_config

TEMPLATE = ROOT / "template.yml"
# SageMaker CreateProject accepts a leading digit (e.g. 2026-churn).
PROJECT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$")
PROJECT_ID = re.compile(r"^p-[a-z0-9]{12}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")
# Parameters of resources of their own (alarms, dashboard, scalable target): changing them must not
# redeploy the endpoint, so they stay out of the revision that names the model and endpoint config.
OUTSIDE_THE_REVISION = ("NotificationTopicArn", "AlarmEvaluationMinutes", "ServerErrorRateThreshold", "ClientErrorRateThreshold",
                        "ModelLatencyP99ThresholdMicroseconds", "ModelSetupTimeThresholdMicroseconds",
                        "AutoScalingMinInstances", "AutoScalingMaxInstances", "AutoScalingInvocationsPerInstance")
DEFAULT_NAMES = {
    "EXPORT_TEMPLATE_NAME": "template-export.yml",
    "EXPORT_TEMPLATE_STAGING_CONFIG": "staging-config-export.json",
    "EXPORT_TEMPLATE_PROD_CONFIG": "prod-config-export.json",
}
CONFIG_NAME_VARIABLE = {"staging": "EXPORT_TEMPLATE_STAGING_CONFIG", "prod": "EXPORT_TEMPLATE_PROD_CONFIG"}


def deployment_revision(parameters: Mapping[str, str]) -> str:
    """8 hex digits that change whenever a parameter of the model, endpoint config or endpoint changes (see template.yml)."""
    endpoint = {k: v for k, v in parameters.items() if k not in OUTSIDE_THE_REVISION}
    # Autoscaling on or off changes the endpoint itself (RetainAllVariantProperties).
    endpoint["autoScaling"] = str(parameters.get("AutoScalingMaxInstances", "0") != "0")
    return hashlib.sha256(json.dumps(endpoint, sort_keys=True).encode()).hexdigest()[:8]


def template_configuration(stage: str, config: StageConfig, project_name: str, project_id: str,
                           role_arn: str, model: Mapping, source_dir_url: str, topic_arn: str = "") -> dict:
    parameters = {
        "ProjectId": project_id,
        "Stage": stage,
        "ModelExecutionRoleArn": role_arn,
        "ImageUri": model["imageUri"],
        "ModelDataUrl": model["modelDataUrl"],
        "SourceDirUrl": source_dir_url,
        "ModelPackageArn": model["packageArn"],
        "ModelVersion": str(model["version"]),
        **config.template_parameters(),
        "NotificationTopicArn": topic_arn,
    }
    parameters["DeploymentRevision"] = deployment_revision(parameters)
    return {
        "Parameters": parameters,
        "Tags": {"sagemaker:project-name": project_name, "sagemaker:project-id": project_id, "stage": stage},
    }


def _checked_topic(env: Mapping[str, str]) -> str:
    topic = env.get("NOTIFICATION_TOPIC_ARN", "").strip()
    if topic and not TOPIC_ARN.match(topic):
        raise CliError(f"NOTIFICATION_TOPIC_ARN {topic!r} is not an SNS topic ARN")
    return topic


def _checked_env(env: Mapping[str, str]) -> tuple[str, str, str]:
    name = require_env("SAGEMAKER_PROJECT_NAME", "the SageMaker project name", env)
    project_id = require_env("SAGEMAKER_PROJECT_ID", "the SageMaker project id", env)
    role = require_env("MODEL_EXECUTION_ROLE_ARN", "the role the model container runs as", env)
    if not PROJECT_NAME.match(name):
        raise CliError(f"SAGEMAKER_PROJECT_NAME {name!r} is not a SageMaker project name (1-32 chars, letters, digits, hyphens)")
    if not PROJECT_ID.match(project_id):
        raise CliError(f"SAGEMAKER_PROJECT_ID {project_id!r} must be p- followed by 12 lower-case letters or digits")
    if not ROLE_ARN.match(role):
        raise CliError(f"MODEL_EXECUTION_ROLE_ARN {role!r} is not an IAM role ARN")
    return name, project_id, role


def _checked_model(model: object, path: Path) -> dict:
    keys = ("packageArn", "version", "imageUri", "modelDataUrl")
    if not isinstance(model, dict) or any(k not in model for k in keys):
        raise CliError(f"{path}: must hold {', '.join(keys)} (run scripts/resolve_model.py)")
    return model


def export(config_dir: Path, output_dir: Path, model: dict, source_dir_url: str, env: Mapping[str, str]) -> list[Path]:
    project_name, project_id, role = _checked_env(env)
    topic = _checked_topic(env)
    # Validate every stage before writing anything: a bad prod config fails the build up front.
    configs = {stage: load_stage_config(Path(config_dir) / f"{stage}.json") for stage in STAGES}
    names = {var: env.get(var, "").strip() or default for var, default in DEFAULT_NAMES.items()}
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = [output_dir / names["EXPORT_TEMPLATE_NAME"]]
    shutil.copyfile(TEMPLATE, written[0])
    for stage, config in configs.items():
        doc = template_configuration(stage, config, project_name, project_id, role, model, source_dir_url, topic)
        path = output_dir / names[CONFIG_NAME_VARIABLE[stage]]
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL_FILE, help="written by resolve_model.py")
    parser.add_argument("--inference-code", type=Path, default=INFERENCE_CODE_FILE, help="written by package_inference.py")
    parser.add_argument("--config-dir", type=Path, default=ROOT / "config")
    parser.add_argument("--output-dir", type=Path, default=Path("."))
    args = parser.parse_args(argv)

    def run() -> None:
        model = _checked_model(read_json_file(args.model, "run scripts/resolve_model.py first"), args.model)
        code = read_json_file(args.inference_code, "run scripts/package_inference.py first")
        if not isinstance(code, dict) or not isinstance(code.get("sourceDirUrl"), str):
            raise CliError(f"{args.inference_code}: must hold sourceDirUrl (run scripts/package_inference.py)")
        for path in export(args.config_dir, args.output_dir, model, code["sourceDirUrl"], os.environ if env is None else env):
            print(f"wrote {path}")

    return run_main("export_configs", run)


if __name__ == "__main__":
    sys.exit(main())
