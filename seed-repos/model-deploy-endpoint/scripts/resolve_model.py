"""Find the newest Approved model package of the project and write build/model.json.

Usage:  python scripts/resolve_model.py [--output build/model.json]

Environment: SOURCE_MODEL_PACKAGE_GROUP_NAME (required); MODEL_PACKAGE_VERSION (an Approved version to
deploy instead of the newest, a rollback; empty or "latest" for the newest, the pipeline variable's
default); AWS_REGION and credentials as usual.
Writes {"packageArn", "packageGroupName", "version", "imageUri", "modelDataUrl", "creationTime"}.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from cli import MODEL_FILE, CliError, require_env, run_main, write_json_file

# <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@digest]
IMAGE_URI = re.compile(r"^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/(?P<repository>[a-z0-9._/-]+)(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$")
S3_URL = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$")


def requested_version(value: str | None) -> int | None:
    """MODEL_PACKAGE_VERSION: empty or "latest" for the newest Approved version, else a version number."""
    text = (value or "").strip()
    if text in ("", "latest"):
        return None
    if not re.fullmatch(r"[1-9][0-9]{0,8}", text):
        raise CliError(f'MODEL_PACKAGE_VERSION must be "latest" or a model package version number such as 3, got "{text}"')
    return int(text)


def newest_approved_summary(client, group: str, requested: int | None = None) -> dict:
    """The newest Approved package summary across all pages (by CreationTime, not page order), or the
    Approved version ``requested`` (a rollback)."""
    newest = pinned = None
    pages = client.get_paginator("list_model_packages").paginate(
        ModelPackageGroupName=group, ModelApprovalStatus="Approved",
        SortBy="CreationTime", SortOrder="Descending")
    for page in pages:
        for summary in page.get("ModelPackageSummaryList", []):
            if newest is None or summary["CreationTime"] > newest["CreationTime"]:
                newest = summary
            if requested is not None and summary.get("ModelPackageVersion") == requested:
                pinned = summary
    if requested is not None:
        if pinned is None:
            raise CliError(f'version {requested} of model package group "{group}" is not Approved (or does not exist): '
                           "approve it, or start the pipeline without MODEL_PACKAGE_VERSION to deploy the newest Approved version")
        return pinned
    if newest is None:
        raise CliError(f'no Approved model package in model package group "{group}": approve a version in '
                       "SageMaker Studio (Models > Model registry) or with UpdateModelPackage, then release the pipeline again")
    return newest


def resolve_approved_model(client, group: str, requested: int | None = None) -> dict:
    summary = newest_approved_summary(client, group, requested)
    arn = summary["ModelPackageArn"]
    described = client.describe_model_package(ModelPackageName=arn)
    containers = described.get("InferenceSpecification", {}).get("Containers", [])
    if len(containers) != 1:
        raise CliError(f"{arn}: expected one inference container, found {len(containers)}")
    image, model_data = containers[0].get("Image", ""), containers[0].get("ModelDataUrl", "")
    match = IMAGE_URI.match(image)
    # inference/inference.py runs in script mode of the SageMaker XGBoost framework container only.
    if not match or "xgboost" not in match.group("repository"):
        raise CliError(f"{arn}: image {image!r} is not a SageMaker XGBoost framework image (ECR repository name containing 'xgboost')")
    if not S3_URL.match(model_data):
        raise CliError(f"{arn}: ModelDataUrl {model_data!r} is not an s3:// URL of the model artifact")
    return {
        "packageArn": arn,
        "packageGroupName": group,
        "version": int(described.get("ModelPackageVersion") or summary["ModelPackageVersion"]),
        "imageUri": image,
        "modelDataUrl": model_data,
        "creationTime": summary["CreationTime"].isoformat(),
    }


def main(argv: list[str] | None = None, env=None, client=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)

    def run() -> None:
        import os
        environment = os.environ if env is None else env
        group = require_env("SOURCE_MODEL_PACKAGE_GROUP_NAME", "the model package group to deploy from", environment)
        requested = requested_version(environment.get("MODEL_PACKAGE_VERSION"))
        sagemaker = client
        if sagemaker is None:
            import boto3
            sagemaker = boto3.client("sagemaker")
        model = resolve_approved_model(sagemaker, group, requested)
        write_json_file(args.output, model)
        print(f"resolved {model['packageArn']} (version {model['version']}, image {model['imageUri']})")

    return run_main("resolve_model", run)


if __name__ == "__main__":
    sys.exit(main())
