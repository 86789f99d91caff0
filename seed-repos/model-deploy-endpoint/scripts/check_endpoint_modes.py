"""Stop the build before a stage config asks for an endpoint update SageMaker cannot make.

The endpoint name is fixed per stage (clients call it by name), so a change the update cannot
make cannot be made by a new endpoint either; CloudFormation would fail and roll the stage back.
This step, run by buildspec.yml before anything is exported, reads what each stage runs now and
stops, naming the stage and the way out, for:

- real-time -> serverless: UpdateEndpoint can move an endpoint from serverless to instances, not back;
- a new instance type for a variant registered with Application Auto Scaling: that update fails
  (SageMaker "Update endpoints that use auto scaling"); CloudFormation deregisters the variant only
  after it updated the endpoint, so even a config that drops autoScaling at the same time fails;
- serverless -> real-time with autoScaling: an autoscaled update keeps the variant's current
  instance count (RetainAllVariantProperties), and a serverless variant has none to keep.

Every other change deploys as usual.

Usage:  python scripts/check_endpoint_modes.py [--config-dir config]

Environment: SAGEMAKER_PROJECT_NAME, SAGEMAKER_PROJECT_ID (required); AWS_REGION and credentials as usual.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from cli import ROOT, CliError, require_env, run_main
from stage_config import STAGES, load_stage_config


def endpoint_name(project_id: str, stage: str) -> str:
    """The stage's endpoint, as template.yml names it."""
    return f"sagemaker-{project_id}-{stage}"


VARIANT = "AllTraffic"  # template.yml's only production variant


@dataclass(frozen=True)
class Deployed:
    mode: str  # Serverless or RealTime
    instance_type: str | None


def deployed_variant(client, name: str) -> Deployed | None:
    """What the endpoint's current config runs; None when the endpoint does not exist yet."""
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
    if variants and all("ServerlessConfig" in v for v in variants):
        return Deployed("Serverless", None)
    return Deployed("RealTime", next((v.get("InstanceType") for v in variants if v.get("VariantName") == VARIANT), None))


def is_autoscaled(autoscaling, name: str) -> bool:
    """True when the stage's variant is registered as an Application Auto Scaling target."""
    found = autoscaling.describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[f"endpoint/{name}/variant/{VARIANT}"],
        ScalableDimension="sagemaker:variant:DesiredInstanceCount")
    return bool(found.get("ScalableTargets"))


def check(client, autoscaling, project_name: str, project_id: str, config_dir: Path) -> list[str]:
    """One line per stage whose config asks for an update SageMaker cannot make."""
    refused = []
    for stage in STAGES:
        config = load_stage_config(config_dir / f"{stage}.json")
        wanted = config.endpoint_mode
        name = endpoint_name(project_id, stage)
        current = deployed_variant(client, name)
        print(f"{stage}: endpoint {name} is {current.mode if current else 'not deployed yet'}; config asks for {wanted}")
        stack = f"sagemaker-{project_name}-{project_id}-deploy-{stage}"
        if current is None:
            continue
        if current.mode == "RealTime" and wanted == "Serverless":
            refused.append(
                f"config/{stage}.json sets endpointMode Serverless, but endpoint {name} runs on instances and SageMaker "
                f"cannot update a real-time endpoint to serverless. Keep RealTime, or delete the stack "
                f"{stack} (its endpoint goes with it) and release the pipeline again.")
        elif current.mode == "Serverless" and wanted == "RealTime" and config.auto_scaling.enabled:
            refused.append(
                f"config/{stage}.json switches endpoint {name} from serverless to RealTime with realTime.autoScaling, but an "
                f"autoscaled update keeps the current instance count and a serverless endpoint has none. Deploy RealTime "
                f"without realTime.autoScaling first, then add it in a later release.")
        elif (current.mode == "RealTime" and wanted == "RealTime" and current.instance_type != config.instance_type
              and is_autoscaled(autoscaling, name)):
            refused.append(
                f"config/{stage}.json changes realTime.instanceType of endpoint {name} from {current.instance_type} to "
                f"{config.instance_type}, but the endpoint is registered for autoscaling and SageMaker refuses a new instance "
                f"type for an autoscaled variant. Release once without realTime.autoScaling (same instanceType), then with "
                f"the new instanceType, then add realTime.autoScaling back.")
    return refused


def main(argv: list[str] | None = None, env=None, client=None, autoscaling=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-dir", type=Path, default=ROOT / "config")
    args = parser.parse_args(argv)

    def run() -> None:
        import os
        environment = os.environ if env is None else env
        project_name = require_env("SAGEMAKER_PROJECT_NAME", "the SageMaker project name", environment)
        project_id = require_env("SAGEMAKER_PROJECT_ID", "the SageMaker project id", environment)
        sagemaker, scaling = client, autoscaling
        if sagemaker is None or scaling is None:
            import boto3
            sagemaker = sagemaker or boto3.client("sagemaker")
            scaling = scaling or boto3.client("application-autoscaling")
        refused = check(sagemaker, scaling, project_name, project_id, args.config_dir)
        if refused:
            raise CliError(" | ".join(refused))

    return run_main("check_endpoint_modes", run)


if __name__ == "__main__":
    sys.exit(main())
