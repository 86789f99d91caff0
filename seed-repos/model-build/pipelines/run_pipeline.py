"""Create or update the project's SageMaker Pipeline, then start an execution.

buildspec.yml runs this in CodeBuild after the tests pass:

    python pipelines/run_pipeline.py --pipeline-name ... --role-arn ... --region ... \\
        --artifact-bucket ... --project-name ... --project-id ... --tags '[{"Key": ..., "Value": ...}]'

Bad arguments and AWS errors end with one readable line and exit status 2 or 1, never a
traceback: the CodeBuild log is where the data scientist reads them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any, Dict, List, Sequence

# Run as a script from the repository root: make `pipelines.abalone` importable.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

PROJECT_NAME_TAG = "sagemaker:project-name"
PROJECT_ID_TAG = "sagemaker:project-id"

# Names SageMaker accepts. A project name is CreateProject's ProjectName pattern: it may
# start with a digit ("2026-churn" is a legal project).
PROJECT_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$")
PROJECT_ID_PATTERN = re.compile(r"^p-[a-z0-9]{12}$")
PIPELINE_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$")
# CreateModelPackageGroup's ModelPackageGroupName; <longest project name>-<id> is 47 characters.
MODEL_PACKAGE_GROUP_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
ROLE_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def _matching(pattern: "re.Pattern[str]", what: str):
    """An argparse type that accepts only values matching ``pattern``."""

    def check(value: str) -> str:
        if not pattern.match(value):
            raise argparse.ArgumentTypeError(f"{value!r} is not a valid {what} (expected {pattern.pattern})")
        return value

    check.__name__ = what  # argparse names the type in its messages
    return check


def _tag_list(text: str) -> List[Dict[str, str]]:
    """--tags: a JSON list of {"Key": ..., "Value": ...} objects, as CloudFormation writes them."""
    try:
        tags = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON ({error.msg} at position {error.pos})") from None
    if not isinstance(tags, list) or not all(
        isinstance(tag, dict) and set(tag) == {"Key", "Value"} and all(isinstance(v, str) for v in tag.values())
        for tag in tags
    ):
        raise argparse.ArgumentTypeError('expected a JSON list of {"Key": "...", "Value": "..."} objects')
    return tags


def _parameter_overrides(text: str) -> Dict[str, Any]:
    """--parameters: a JSON object of pipeline parameter values for this execution."""
    try:
        parameters = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON ({error.msg} at position {error.pos})") from None
    if not isinstance(parameters, dict):
        raise argparse.ArgumentTypeError('expected a JSON object such as {"MseThreshold": 5.0}')
    return parameters


def parse_args(argv: "Sequence[str] | None" = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline-name", required=True, type=_matching(PIPELINE_NAME_PATTERN, "pipeline name"))
    parser.add_argument("--role-arn", required=True, type=_matching(ROLE_ARN_PATTERN, "IAM role ARN"),
                        help="role the pipeline's jobs run as")
    parser.add_argument("--region", required=True, type=_matching(REGION_PATTERN, "AWS region"))
    parser.add_argument("--artifact-bucket", required=True, type=_matching(BUCKET_PATTERN, "S3 bucket name"),
                        help="bucket name only, no s3://")
    parser.add_argument("--project-name", required=True, type=_matching(PROJECT_NAME_PATTERN, "project name"))
    parser.add_argument("--project-id", required=True, type=_matching(PROJECT_ID_PATTERN, "project id"))
    parser.add_argument("--tags", type=_tag_list, default=[],
                        help="JSON list of extra tags; the project tags are always added")
    parser.add_argument("--model-package-group-name",
                        type=_matching(MODEL_PACKAGE_GROUP_NAME_PATTERN, "model package group name"),
                        help="default: <project name>-<project id>")
    parser.add_argument("--base-job-prefix", default="abalone", type=_matching(PIPELINE_NAME_PATTERN, "job prefix"))
    parser.add_argument("--parameters", type=_parameter_overrides, default={},
                        help='pipeline parameter values for this execution, e.g. {"MseThreshold": 5.0}')
    parser.add_argument("--description", default="Abalone: preprocess, train XGBoost, evaluate, register")
    args = parser.parse_args(argv)
    if args.model_package_group_name is None:
        args.model_package_group_name = f"{args.project_name}-{args.project_id}"
    return args


def project_tags(args: argparse.Namespace) -> List[Dict[str, str]]:
    """--tags plus the two SageMaker project tags, which win over same-key entries of --tags."""
    project = {PROJECT_NAME_TAG: args.project_name, PROJECT_ID_TAG: args.project_id}
    extra = [tag for tag in args.tags if tag["Key"] not in project]
    return extra + [{"Key": key, "Value": value} for key, value in project.items()]


def main(argv: "Sequence[str] | None" = None) -> int:
    args = parse_args(argv)
    # Imported here so that --help and argument errors are instant.
    from botocore.exceptions import BotoCoreError, ClientError

    from pipelines.abalone.pipeline import get_pipeline

    try:
        pipeline = get_pipeline(
            region=args.region,
            role=args.role_arn,
            default_bucket=args.artifact_bucket,
            model_package_group_name=args.model_package_group_name,
            pipeline_name=args.pipeline_name,
            base_job_prefix=args.base_job_prefix,
            project_name=args.project_name,
            project_id=args.project_id,
        )
        unknown = sorted(set(args.parameters) - {p.name for p in pipeline.parameters})
        if unknown:
            raise SystemExit(f"run_pipeline: unknown pipeline parameter(s): {', '.join(unknown)}")
        response = pipeline.upsert(role_arn=args.role_arn, description=args.description, tags=project_tags(args))
        print(f"run_pipeline: upserted {response['PipelineArn']}")
        execution = pipeline.start(parameters=args.parameters or None)
        print(f"run_pipeline: started {execution.arn}")
    except (BotoCoreError, ClientError) as error:
        raise SystemExit(f"run_pipeline: AWS call failed: {error}") from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
