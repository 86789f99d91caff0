"""The AWS calls a build makes, recorded, against tests/expected_aws_calls.json.

`pipelines.run_pipeline.main` runs with the real SageMaker SDK, boto3 and s3transfer. Every
botocore session gets a `before-call` handler that records the call (service, operation,
parameters, endpoint) and answers it the way AWS would, so no request leaves the process
(and the autouse no_network fixture fails any that tries). Two builds are recorded: the first
one (CreatePipeline succeeds) and a re-run (CreatePipeline answers "already exists").

The buildspec's own `aws` CLI lines run through bash with a fake `aws` on PATH.

expected_aws_calls.json is what the template's authorization test simulates against the
CodeBuild role, so these tests fail on any call that is not listed and on any listed call
that is no longer made.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit

import boto3
import botocore.session
import pytest
import yaml
from botocore.awsrequest import AWSResponse
from sagemaker.telemetry import telemetry_logging

from conftest import REPO_ROOT
from pipelines import run_pipeline

EXPECTED_FILE = Path(__file__).with_name("expected_aws_calls.json")
EXPECTED = json.loads(EXPECTED_FILE.read_text())
RUN_PIPELINE = "pipelines/run_pipeline.py"
BUILDSPEC = "buildspec.yml"

REGION = "eu-west-1"
ACCOUNT = "111122223333"
BUCKET = "sagemaker-project-p-abcdefghijkl"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-p-abcdefghijkl-pipeline-execution"
PROJECT_NAME = "2026-churn"
PROJECT_ID = "p-abcdefghijkl"
PIPELINE_NAME = f"{PROJECT_NAME}-{PROJECT_ID}"
PIPELINE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{PIPELINE_NAME}"
PROJECT_TAGS = [
    {"Key": "sagemaker:project-name", "Value": PROJECT_NAME},
    {"Key": "sagemaker:project-id", "Value": PROJECT_ID},
]
ARGS = [
    "--region", REGION,
    "--artifact-bucket", BUCKET,
    "--role-arn", ROLE_ARN,
    "--project-name", PROJECT_NAME,
    "--project-id", PROJECT_ID,
    "--pipeline-name", PIPELINE_NAME,
    "--tags", json.dumps(PROJECT_TAGS),
]
# The bucket the SDK would use if it were given none: it must never appear.
SDK_DEFAULT_BUCKET = f"sagemaker-{REGION}-{ACCOUNT}"
# sagemaker/telemetry/telemetry_logging.py sends unsigned GETs (requests, not botocore) here.
TELEMETRY_HOST = f"sm-pysdk-t-{REGION}.s3.{REGION}.amazonaws.com"

# IAM action of each S3 operation the build may make (the S3 API reference, "Permissions"
# of each operation). Other services' actions are named after the operation.
S3_ACTIONS = {
    "ListBuckets": "s3:ListAllMyBuckets",
    "HeadBucket": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "CreateBucket": "s3:CreateBucket",
    "HeadObject": "s3:GetObject",
    "GetObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
}
# SageMaker request parameters that name the resource, as ARN paths.
SAGEMAKER_RESOURCE_PARAMS = {"PipelineName": "pipeline", "ModelPackageGroupName": "model-package-group"}


# --- recording -------------------------------------------------------------------------------


@dataclass
class Call:
    """One botocore API call as the service sees it."""

    signing_name: str  # the IAM prefix: "sagemaker", "s3", "sts"
    endpoint_prefix: str  # "api.sagemaker", "s3", "sts"
    operation: str
    params: Dict
    url: str


@dataclass(frozen=True)
class Requirement:
    """One authorization a call needs: IAM action, resource ARN, request context keys."""

    action: str
    resource: str
    context: Tuple = ()

    def __str__(self):
        return f"{self.action} on {self.resource}" + (f" with {dict(self.context)}" if self.context else "")


def canonical_context(context: Dict) -> Tuple:
    return tuple(sorted((key, tuple(sorted(value)) if isinstance(value, list) else value)
                        for key, value in context.items()))


def tag_context(tags: Optional[List[Dict[str, str]]]) -> Dict:
    if not tags:
        return {}
    context = {f"aws:RequestTag/{tag['Key']}": tag["Value"] for tag in tags}
    context["aws:TagKeys"] = [tag["Key"] for tag in tags]
    return context


def requirements(call: Call) -> List[Requirement]:
    """The IAM authorizations one call needs (Service Authorization Reference: dependent actions)."""
    params = call.params
    if call.signing_name == "s3":
        assert call.operation in S3_ACTIONS, f"map S3 {call.operation} to its IAM action in S3_ACTIONS"
        bucket, key = params.get("Bucket"), params.get("Key")
        resource = "*" if bucket is None else f"arn:aws:s3:::{bucket}" + (f"/{key}" if key else "")
        encryption = params.get("ServerSideEncryption")
        context = {"s3:x-amz-server-side-encryption": encryption} if encryption else {}
        return [Requirement(S3_ACTIONS[call.operation], resource, canonical_context(context))]
    if call.signing_name == "sts":
        return [Requirement(f"sts:{call.operation}", "*")]
    if call.signing_name == "sagemaker":
        named = [f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind}/{params[name]}"
                 for name, kind in SAGEMAKER_RESOURCE_PARAMS.items() if name in params]
        resource = params.get("ResourceArn") or (named[0] if named else None)
        assert resource, f"no resource for sagemaker:{call.operation}; extend SAGEMAKER_RESOURCE_PARAMS"
        tags = canonical_context(tag_context(params.get("Tags")))
        needed = [Requirement(f"sagemaker:{call.operation}", resource, tags)]
        if "RoleArn" in params:
            needed.append(Requirement("iam:PassRole", params["RoleArn"],
                                      canonical_context({"iam:PassedToService": "sagemaker.amazonaws.com"})))
        if call.operation.startswith("Create") and params.get("Tags"):
            needed.append(Requirement("sagemaker:AddTags", resource, tags))
        return needed
    raise AssertionError(f"no IAM mapping for {call.signing_name}:{call.operation}")


class _EmptyBody:
    def stream(self, **_kwargs):
        yield b""


def _error(status: int, code: str, message: str) -> Tuple[int, Dict]:
    return status, {"Error": {"Code": code, "Message": message}}


@dataclass
class FakeAws:
    """Answers every botocore call in place of AWS, minimally but validly, and records it."""

    pipeline_exists: bool
    role_may_list_buckets: bool = False
    calls: List[Call] = field(default_factory=list)
    telemetry: List[str] = field(default_factory=list)

    def remember_params(self, params, context, **_kwargs):
        context["recorded_params"] = copy.copy(params)

    def answer(self, model, params, context, **_kwargs):
        service = model.service_model
        call = Call(service.signing_name, service.endpoint_prefix, model.name,
                    context.get("recorded_params", {}), params["url"])
        self.calls.append(call)
        status, body = self.response(call)
        body["ResponseMetadata"] = {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}
        return AWSResponse(params["url"], status, {}, _EmptyBody()), body

    def response(self, call: Call) -> Tuple[int, Dict]:
        key = f"{call.signing_name}:{call.operation}"
        if key == "s3:ListBuckets":
            if not self.role_may_list_buckets:
                return _error(403, "AccessDenied", "Access Denied")
            return 200, {"Buckets": [{"Name": BUCKET, "CreationDate": datetime.datetime(2026, 1, 1)}]}
        if key == "sagemaker:CreatePipeline" and self.pipeline_exists:
            return _error(400, "ValidationException", "Pipeline names must be unique within an AWS account and "
                          f"region. Pipeline with name ({PIPELINE_NAME}) already exists.")
        responses = {
            "sts:GetCallerIdentity": {"Account": ACCOUNT, "UserId": "AROAEXAMPLE:build",
                                      "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/codebuild/build"},
            "s3:HeadBucket": {"BucketRegion": REGION},
            "s3:PutObject": {"ETag": '"0"'},
            "s3:CreateMultipartUpload": {"UploadId": "1", "Bucket": BUCKET, "Key": call.params.get("Key")},
            "s3:UploadPart": {"ETag": '"0"'},
            "s3:CompleteMultipartUpload": {"ETag": '"0"'},
            "sagemaker:CreatePipeline": {"PipelineArn": PIPELINE_ARN},
            "sagemaker:UpdatePipeline": {"PipelineArn": PIPELINE_ARN},
            "sagemaker:ListTags": {"Tags": PROJECT_TAGS},
            "sagemaker:AddTags": {"Tags": call.params.get("Tags", [])},
            "sagemaker:StartPipelineExecution": {"PipelineExecutionArn": f"{PIPELINE_ARN}/execution/0123456789ab"},
        }
        if key in responses:
            return 200, copy.deepcopy(responses[key])
        return _error(400, "NotAnsweredByTheTestFake",
                      f"{key} is new: answer it in FakeAws.response and list it in {EXPECTED_FILE.name}")


def run_build(tmp_path_factory, pipeline_exists: bool, role_may_list_buckets: bool = False) -> FakeAws:
    fake = FakeAws(pipeline_exists=pipeline_exists, role_may_list_buckets=role_may_list_buckets)
    original_init = botocore.session.Session.__init__

    def init_and_intercept(session, *args, **kwargs):
        original_init(session, *args, **kwargs)
        session.register("before-parameter-build", fake.remember_params)
        session.register("before-call", fake.answer)

    no_sdk_defaults = tmp_path_factory.mktemp("sagemaker-config") / "config.yaml"
    no_sdk_defaults.write_text("")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session.Session, "__init__", init_and_intercept)
        patch.setattr(boto3, "DEFAULT_SESSION", None)
        patch.setattr(telemetry_logging, "_requests_helper", lambda url, _timeout: fake.telemetry.append(url))
        # As in CodeBuild: credentials and region only; no endpoint overrides, no SDK defaults file.
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_SESSION_TOKEN", "testing")
        patch.setenv("AWS_REGION", REGION)
        patch.setenv("SAGEMAKER_ADMIN_CONFIG_OVERRIDE", str(no_sdk_defaults))
        patch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(no_sdk_defaults))
        for name in [n for n in os.environ if n.startswith(("AWS_ENDPOINT_URL", "AWS_USE_"))] + [
            "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_STS_REGIONAL_ENDPOINTS",
        ]:
            patch.delenv(name, raising=False)
        assert run_pipeline.main(ARGS) == 0
    return fake


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> FakeAws:
    return run_build(tmp_path_factory, pipeline_exists=False)


@pytest.fixture(scope="module")
def rerun(tmp_path_factory) -> FakeAws:
    return run_build(tmp_path_factory, pipeline_exists=True)


# --- comparing with expected_aws_calls.json -------------------------------------------------


def resource_pattern(resource: str) -> "re.Pattern[str]":
    """A listed resource: `*` stands for one variable key segment (a content hash)."""
    return re.compile("[^/]+".join(re.escape(part) for part in resource.split("*")))


def listed(source: str, run: str) -> List[Dict]:
    return [entry for entry in EXPECTED if entry["source"] == source and entry["run"] in (run, "both")]


def covers(entry: Dict, requirement: Requirement) -> bool:
    return (entry["action"] == requirement.action
            and resource_pattern(entry["resource"]).fullmatch(requirement.resource) is not None
            and canonical_context(entry.get("context", {})) == requirement.context)


def assert_exactly_listed(made: List[Requirement], entries: List[Dict]):
    unlisted = sorted({str(r) for r in made if not any(covers(e, r) for e in entries)})
    not_made = [f"{e['action']} on {e['resource']}" for e in entries if not any(covers(e, r) for r in made)]
    assert not unlisted and not not_made, (
        f"{EXPECTED_FILE.name} is out of date.\n  made but not listed: {unlisted}\n  listed but not made: {not_made}"
    )


def made_by(fake: FakeAws) -> List[Requirement]:
    return [requirement for call in fake.calls for requirement in requirements(call)]


# --- run_pipeline.py ---------------------------------------------------------------------------


def test_first_run_makes_exactly_the_listed_calls(first_run):
    assert_exactly_listed(made_by(first_run), listed(RUN_PIPELINE, "first"))


def test_rerun_makes_exactly_the_listed_calls(rerun):
    assert_exactly_listed(made_by(rerun), listed(RUN_PIPELINE, "rerun"))


def test_upsert_creates_first_and_updates_when_the_pipeline_exists(first_run, rerun):
    def sagemaker_operations(fake):
        return [call.operation for call in fake.calls if call.signing_name == "sagemaker"]

    assert sagemaker_operations(first_run) == ["CreatePipeline", "StartPipelineExecution"]
    assert sagemaker_operations(rerun) == [
        "CreatePipeline", "UpdatePipeline", "ListTags", "AddTags", "StartPipelineExecution",
    ]
    (add_tags,) = [call for call in rerun.calls if call.operation == "AddTags"]
    assert add_tags.params == {"ResourceArn": PIPELINE_ARN, "Tags": PROJECT_TAGS}


def test_no_call_touches_a_bucket_other_than_the_artifact_bucket(first_run, rerun):
    for call in first_run.calls + rerun.calls:
        assert SDK_DEFAULT_BUCKET not in json.dumps(call.params, default=str) + call.url
        if call.signing_name != "s3":
            continue
        assert call.operation != "CreateBucket"
        if call.operation == "ListBuckets":
            assert urlsplit(call.url).hostname == f"s3.{REGION}.amazonaws.com"
        else:
            assert call.params["Bucket"] == BUCKET, call
            assert urlsplit(call.url).hostname == f"{BUCKET}.s3.{REGION}.amazonaws.com"


def test_every_call_goes_to_the_build_region(first_run, rerun):
    hosts = {urlsplit(call.url).hostname for call in first_run.calls + rerun.calls}
    assert hosts == {
        f"sts.{REGION}.amazonaws.com",
        f"s3.{REGION}.amazonaws.com",
        f"{BUCKET}.s3.{REGION}.amazonaws.com",
        f"api.sagemaker.{REGION}.amazonaws.com",
    }
    assert {(call.signing_name, call.endpoint_prefix) for call in first_run.calls + rerun.calls} == {
        ("sts", "sts"), ("s3", "s3"), ("sagemaker", "api.sagemaker"),
    }


def test_sts_is_only_the_account_lookup_of_sdk_telemetry(first_run, rerun):
    for fake in (first_run, rerun):
        sts = [call.operation for call in fake.calls if call.signing_name == "sts"]
        assert sts == ["GetCallerIdentity"] * len(fake.telemetry) and len(sts) == 3
        assert {urlsplit(url).hostname for url in fake.telemetry} == {TELEMETRY_HOST}
        assert all(f"x-accountId={ACCOUNT}" in url for url in fake.telemetry)


def test_code_uploads_are_content_addressed_and_the_same_on_every_run(first_run, rerun):
    def uploaded_keys(fake):
        return {call.params["Key"] for call in fake.calls if call.operation == "PutObject"}

    keys = uploaded_keys(first_run)
    # preprocess.py, evaluate.py, and two sourcedir.tar.gz: train.py's and the registered inference.py's.
    assert len(keys) == 4 and uploaded_keys(rerun) == keys
    for key in keys:
        assert re.fullmatch(rf"{PIPELINE_NAME}/code/[0-9a-f]{{64}}/(preprocess\.py|evaluate\.py|sourcedir\.tar\.gz)", key)


def test_a_role_allowed_to_list_buckets_skips_head_bucket_and_needs_nothing_unlisted(tmp_path_factory):
    fake = run_build(tmp_path_factory, pipeline_exists=False, role_may_list_buckets=True)
    assert "HeadBucket" not in [call.operation for call in fake.calls]
    entries = listed(RUN_PIPELINE, "first")
    assert [str(r) for r in made_by(fake) if not any(covers(e, r) for e in entries)] == []


# --- buildspec.yml -------------------------------------------------------------------------


FAKE_AWS = """#!{python}
import json, os, sys
with open(os.environ["FAKE_AWS_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
sys.exit(int(os.environ["FAKE_AWS_HEAD_OBJECT_EXIT"]) if sys.argv[1:3] == ["s3api", "head-object"] else 0)
"""


@pytest.fixture(scope="module")
def buildspec():
    return yaml.safe_load((REPO_ROOT / BUILDSPEC).read_text())


def aws_command_lines(buildspec) -> List[str]:
    return [command for phase in buildspec["phases"].values() for command in phase.get("commands", [])
            if aws_commands(command)]


def aws_commands(command_line: str) -> List[str]:
    """`aws <service> <command>` invocations in one shell command line."""
    return [f"aws {service} {name}" for service, name in
            re.findall(r"(?<![\w/$.-])aws\s+([a-z0-9-]+)\s+([a-z0-9-]+)", command_line)]


def cli_requirement(argv: List[str]) -> Tuple[str, Requirement]:
    """The IAM authorization of one recorded `aws` invocation."""
    command = f"aws {argv[0]} {argv[1]}"
    if command == "aws s3api head-object":
        bucket, key = argv[argv.index("--bucket") + 1], argv[argv.index("--key") + 1]
        return command, Requirement("s3:GetObject", f"arn:aws:s3:::{bucket}/{key}")
    if command == "aws s3 cp":
        source, target = [arg for arg in argv[2:] if not arg.startswith("--")][:2]
        assert (REPO_ROOT / source).is_file() and target.startswith("s3://")
        return command, Requirement("s3:PutObject", f"arn:aws:s3:::{target[len('s3://'):]}")
    raise AssertionError(f"{command}: add its IAM action here and list it in {EXPECTED_FILE.name}")


def run_aws_lines(buildspec, tmp_path, data_exists: bool) -> List[Tuple[str, Requirement]]:
    """Run the buildspec's aws lines in bash, as CodeBuild does, with a fake aws that records argv."""
    bin_dir, log = tmp_path / "bin", tmp_path / "aws-calls.jsonl"
    bin_dir.mkdir()
    (bin_dir / "aws").write_text(FAKE_AWS.format(python=sys.executable))
    (bin_dir / "aws").chmod(0o755)
    env = {
        **os.environ, **buildspec["env"]["variables"],
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "ARTIFACT_BUCKET": BUCKET, "AWS_REGION": REGION,
        "FAKE_AWS_LOG": str(log), "FAKE_AWS_HEAD_OBJECT_EXIT": "0" if data_exists else "255",
    }
    for line in aws_command_lines(buildspec):
        result = subprocess.run(["bash", "-c", line], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
    return [cli_requirement(json.loads(argv)) for argv in log.read_text().splitlines()]


def assert_buildspec_calls_exactly_listed(made: List[Tuple[str, Requirement]], run: str):
    entries = listed(BUILDSPEC, run)
    assert_exactly_listed([requirement for _, requirement in made], entries)
    for command, requirement in made:
        assert any(e["command"] == command and covers(e, requirement) for e in entries), (command, str(requirement))


def test_buildspec_first_build_uploads_the_data_after_head_object_fails(buildspec, tmp_path):
    made = run_aws_lines(buildspec, tmp_path, data_exists=False)
    assert [command for command, _ in made] == ["aws s3api head-object", "aws s3 cp"]
    assert_buildspec_calls_exactly_listed(made, "first")


def test_buildspec_rerun_only_checks_that_the_data_is_there(buildspec, tmp_path):
    made = run_aws_lines(buildspec, tmp_path, data_exists=True)
    assert [command for command, _ in made] == ["aws s3api head-object"]
    assert_buildspec_calls_exactly_listed(made, "rerun")


def test_every_aws_cli_command_in_buildspec_is_listed(buildspec):
    in_buildspec = {command for line in aws_command_lines(buildspec) for command in aws_commands(line)}
    assert in_buildspec == {entry["command"] for entry in EXPECTED if entry["source"] == BUILDSPEC}


# --- the file itself -----------------------------------------------------------------------


def test_expected_calls_file_is_well_formed():
    required = {"source", "run", "action", "resource", "must_be_allowed", "why"}
    seen = set()
    for entry in EXPECTED:
        assert required <= set(entry) <= required | {"context", "command"}, entry
        assert entry["source"] in (RUN_PIPELINE, BUILDSPEC) and entry["run"] in ("first", "rerun", "both")
        assert ("command" in entry) == (entry["source"] == BUILDSPEC), entry
        assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z]+", entry["action"]) and isinstance(entry["must_be_allowed"], bool)
        assert entry["resource"] == "*" or entry["resource"].startswith("arn:aws:"), entry
        assert entry["why"].strip(), entry
        if entry["action"].startswith("s3:") and entry["resource"] != "*":
            assert entry["resource"].startswith(f"arn:aws:s3:::{BUCKET}"), entry
        key = (entry["source"], entry["action"], entry["resource"])
        assert key not in seen, f"listed twice: {key}"
        seen.add(key)
