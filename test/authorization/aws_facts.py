"""Facts the authorization suite takes from AWS's own libraries instead of restating them.

Prints one JSON object:
  images      - the framework image URIs the seeds run, from the SageMaker Python SDK's image_uris
  templates   - seed CloudFormation YAML templates decoded by cfn-lint (short-form intrinsics included)
  operations  - for each boto3 service the seeds use, its client method names -> API operation names

Usage: python aws_facts.py <region> <template.yml>... (run with the project's .venv python)
"""

import json
import sys

import botocore.session
from cfnlint.decode import decode
from sagemaker import image_uris

# The versions the seeds pin (seed-repos/model-build/pipelines/abalone/pipeline.py; the endpoint
# seed serves with the training image). A test checks these strings are still in that file.
XGBOOST_VERSION = "3.0-5"
SKLEARN_VERSION = "1.2-1"
BOTO3_SERVICES = ["application-autoscaling", "s3", "sagemaker", "sagemaker-runtime", "sts"]


def main(region, templates):
    session = botocore.session.get_session()
    operations = {}
    for service in BOTO3_SERVICES:
        model = session.get_service_model(service)
        from botocore import xform_name
        operations[service] = {
            "signingName": model.signing_name,
            "endpointPrefix": model.endpoint_prefix,
            "methods": {xform_name(name): name for name in model.operation_names},
        }
    decoded = {}
    for path in templates:
        template, matches = decode(path)
        if matches:
            raise SystemExit(f"{path}: {matches[0]}")
        decoded[path] = template
    print(json.dumps({
        "images": {
            "xgboost": image_uris.retrieve("xgboost", region, version=XGBOOST_VERSION),
            "sklearn": image_uris.retrieve("sklearn", region, version=SKLEARN_VERSION),
        },
        "templates": decoded,
        "operations": operations,
    }, default=str))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
