"""Stop the build before a stage config moves a deployed real-time endpoint back to serverless.

SageMaker's UpdateEndpoint can move an endpoint from serverless to instances but not from
instances to serverless: that update fails and CloudFormation rolls the stage back. The endpoint
name is fixed per stage (clients call it by name), so the switch cannot be made by a new endpoint
either. This step, run by buildspec.yml before anything is exported, reads what each stage runs
now and, for that one switch, stops with the way out. Every other change deploys as usual.

Usage:  python scripts/check_endpoint_modes.py [--config-dir config]

Environment: SAGEMAKER_PROJECT_NAME, SAGEMAKER_PROJECT_ID (required); AWS_REGION and credentials as usual.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli import ROOT, CliError, require_env, run_main
from stage_config import STAGES, load_stage_config


def endpoint_name(project_id: str, stage: str) -> str:
    """The stage's endpoint, as template.yml names it."""
    return f"sagemaker-{project_id}-{stage}"


def deployed_mode(client, name: str) -> str | None:
    """'Serverless' or 'RealTime' for the endpoint's current config; None when it does not exist yet."""
    from botocore.exceptions import ClientError

    try:
        endpoint = client.describe_endpoint(EndpointName=name)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") == "ValidationException" and "Could not find endpoint" in error.get("Message", ""):
            return None
        raise
    config = client.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    variants = config.get("ProductionVariants", [])
    return "Serverless" if variants and all("ServerlessConfig" in v for v in variants) else "RealTime"


def check(client, project_name: str, project_id: str, config_dir: Path) -> list[str]:
    """One line per stage whose config asks for the switch SageMaker cannot make."""
    refused = []
    for stage in STAGES:
        wanted = load_stage_config(config_dir / f"{stage}.json").endpoint_mode
        name = endpoint_name(project_id, stage)
        current = deployed_mode(client, name)
        print(f"{stage}: endpoint {name} is {current or 'not deployed yet'}; config asks for {wanted}")
        if current == "RealTime" and wanted == "Serverless":
            refused.append(
                f"config/{stage}.json sets endpointMode Serverless, but endpoint {name} runs on instances and SageMaker "
                f"cannot update a real-time endpoint to serverless. Keep RealTime, or delete the stack "
                f"sagemaker-{project_name}-{project_id}-deploy-{stage} (its endpoint goes with it) and release the pipeline again.")
    return refused


def main(argv: list[str] | None = None, env=None, client=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-dir", type=Path, default=ROOT / "config")
    args = parser.parse_args(argv)

    def run() -> None:
        import os
        environment = os.environ if env is None else env
        project_name = require_env("SAGEMAKER_PROJECT_NAME", "the SageMaker project name", environment)
        project_id = require_env("SAGEMAKER_PROJECT_ID", "the SageMaker project id", environment)
        sagemaker = client
        if sagemaker is None:
            import boto3
            sagemaker = boto3.client("sagemaker")
        refused = check(sagemaker, project_name, project_id, args.config_dir)
        if refused:
            raise CliError(" | ".join(refused))

    return run_main("check_endpoint_modes", run)


if __name__ == "__main__":
    sys.exit(main())
