"""A model with a feature fewer or a feature more deploys with no edit to either deploy repo.

ModelBuild's own artifact builder (``pipelines.abalone.build_local_artifact``: the real
preprocess -> train -> package -> evaluate steps) trains two variants on the shared Abalone data:
``shell_weight`` dropped, and a derived ``volume`` added. The model artifact is the one source of
the input contract (transform.json schema_version 2), so, with ``MODEL_ARTIFACT`` pointing at each
variant and nothing else changed:

- the Lambda seed's service suite and the endpoint seed's suite pass (every expectation in them is
  derived from the artifact under test);
- the Lambda seed's staging smoke test (``npm run smoke-test``, the TypeScript the pipeline runs)
  builds its requests from the variant's transform.json and passes against the real handler.

Emulated here: API Gateway. A small HTTP server turns each request into an HTTP API payload 2.0
event (the format in the API Gateway developer guide, "Working with AWS Lambda proxy integrations
for HTTP APIs") and returns the handler's statusCode/headers/body; the handler itself is the
image's ``app.handler.handler``, imported in a fresh interpreter as the runtime does.

Run from the repository root:
    .venv/bin/python -m pytest -q -p no:cacheprovider test/parity
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

from parity_support import ABALONE_FIELDS, REPO_ROOT, run, subprocess_env

MODEL_BUILD = REPO_ROOT / "seed-repos" / "model-build"
LAMBDA_SEED = REPO_ROOT / "seed-repos" / "model-deploy"
ENDPOINT_SEED = REPO_ROOT / "seed-repos" / "model-deploy-endpoint"

# Variant: (build_local_artifact arguments, the input fields the artifact must then declare).
VARIANTS = {
    "shell_weight dropped": (["--drop-feature", "shell_weight"], ABALONE_FIELDS[:-1]),
    "volume added": (["--add-feature", "volume=length*diameter*height"], ABALONE_FIELDS + ["volume"]),
}
PACKAGE = {"packageArn": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/variant/1", "version": 1}

# The bridge: one POST per request, answered by the handler (API Gateway HTTP API, payload 2.0).
BRIDGE = textwrap.dedent("""
    import json, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from app.handler import handler

    class Context:
        aws_request_id = "variant-smoke"

    class Bridge(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0))).decode("utf-8")
            event = {"version": "2.0", "routeKey": "$default", "rawPath": self.path, "rawQueryString": "",
                     "headers": {k.lower(): v for k, v in self.headers.items()},
                     "requestContext": {"http": {"method": "POST", "path": self.path}, "requestId": "r"},
                     "body": body, "isBase64Encoded": False}
            answer = handler(event, Context())
            data = answer["body"].encode("utf-8")
            self.send_response(answer["statusCode"])
            for name, value in answer.get("headers", {}).items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Bridge)
    print(server.server_address[1], flush=True)
    server.serve_forever()
""")


# Variables that would point the suites and the smoke test at another model or API if inherited from the caller's shell.
ENV_DROP = ("MODEL_ARTIFACT", "MODEL_DIR", "MODEL_TRANSFORM_FILE", "STAGING_API_URL", "PYTHONPATH")


def _run(args: list[str], *, cwd: Path, env: dict[str, str], what: str, timeout: int = 600) -> str:
    return run(args, cwd=cwd, env=env, what=what, timeout=timeout).stdout


def _env(**extra: str) -> dict[str, str]:
    return subprocess_env(ENV_DROP, **extra)


@pytest.fixture(scope="module", params=list(VARIANTS))
def variant(request, tmp_path_factory, shared_data) -> tuple[Path, list[str]]:
    arguments, fields = VARIANTS[request.param]
    out = tmp_path_factory.mktemp("variant") / "model.tar.gz"
    _run([sys.executable, "-m", "pipelines.abalone.build_local_artifact", "--data", str(shared_data), *arguments,
          "--out", str(out)], cwd=MODEL_BUILD, env=_env(), what=f"ModelBuild artifact ({request.param})", timeout=180)
    return out, fields


@pytest.fixture(scope="module")
def artifact(variant) -> Path:
    return variant[0]


def _transform(artifact: Path) -> dict:
    with tarfile.open(artifact) as archive:
        member = next(m for m in archive.getmembers() if m.name.lstrip("./") == "transform.json")
        return json.load(archive.extractfile(member))


def test_the_artifact_declares_the_variants_input_fields_with_bounds_and_examples(variant):
    artifact, fields = variant
    doc = _transform(artifact)
    assert doc["schema_version"] == 2 and doc["input_fields"] == fields
    assert sorted(doc["numeric"]) == sorted(f for f in fields if f != "sex")
    assert all(set(example) == set(fields) for example in doc["examples"])


def test_the_lambda_service_suite_passes_on_the_variant(artifact):
    out = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=LAMBDA_SEED / "service",
               env=_env(MODEL_ARTIFACT=str(artifact)), what="Lambda service suite")
    assert " passed" in out.splitlines()[-1] and "failed" not in out.splitlines()[-1]


def test_the_endpoint_seed_suite_passes_on_the_variant(artifact):
    out = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ENDPOINT_SEED,
               env=_env(MODEL_ARTIFACT=str(artifact)), what="endpoint seed suite")
    assert " passed" in out.splitlines()[-1] and "failed" not in out.splitlines()[-1]


def test_the_lambda_staging_smoke_test_passes_against_the_handler_serving_the_variant(artifact, tmp_path):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    with tarfile.open(artifact) as archive:
        archive.extractall(model_dir, filter="data")
    (model_dir / "model-package.json").write_text(json.dumps(PACKAGE), encoding="utf-8")
    bridge = subprocess.Popen([sys.executable, "-c", BRIDGE], cwd=LAMBDA_SEED / "service", text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(MODEL_DIR=str(model_dir)))
    try:
        port = bridge.stdout.readline().strip()
        assert port.isdigit(), f"the handler bridge did not start: {bridge.stderr.read()[-3000:]}"
        # Signed with throwaway credentials: the bridge does not check them (API Gateway's IAM auth is not emulated).
        out = _run(["npx", "ts-node", "scripts/smoke-test.ts", "--url", f"http://127.0.0.1:{port}",
                    "--transform", str(model_dir / "transform.json")], cwd=LAMBDA_SEED,
                   env=_env(AWS_REGION="eu-west-1", AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
                            AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                   what="Lambda smoke test", timeout=180)
    finally:
        bridge.kill()
        bridge.wait()
    assert re.search(r"all \d+ checks passed", out), out
