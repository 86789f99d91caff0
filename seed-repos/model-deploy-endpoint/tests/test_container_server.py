"""The packaged inference code served by gunicorn, as the XGBoost 3.0-5 container serves it.

Runs the real library: sagemaker-containers 2.8.6.post2 and gunicorn/gevent at the image's
versions. The steps are the container's (``serving_entrypoint`` in aws/sagemaker-xgboost-container
``serving.py``, then ``start`` in ``sagemaker_containers/_server.py``): the archive that
scripts/package_inference.py uploads is extracted into ``<base>/code`` by the library's own
``_files.download_and_extract`` (the container downloads it from SAGEMAKER_SUBMIT_DIRECTORY),
the model lies in ``<base>/model``, and gunicorn runs the WSGI app with the arguments
``_server.start`` gives it (``--timeout 60 -k gevent --worker-connections 1000``), whose first
request imports SAGEMAKER_PROGRAM from the code directory (xgboost_serving.main, a copy of the
container's ``serving.main``). Differences, none on the request path: one worker on a unix
socket of our own instead of ``unix:/tmp/gunicorn.sock``, without the nginx in front (a plain
proxy with ``client_max_body_size 0``, etc/nginx.conf.template) and without ``_modules.install``
(a ``pip install`` of the code directory into this venv).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import package_inference
from conftest import good_record
from contract_records import synthesised
from serving import http_invoke, http_ping
from test_malformed_requests import CASES

TESTS_DIR = Path(__file__).resolve().parent
START_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def server(model_dir):
    from sagemaker_containers.beta.framework import files

    base = Path(tempfile.mkdtemp(prefix="sm-"))  # short: a unix socket path has at most 107 bytes
    process = None
    try:
        shutil.copytree(model_dir, base / "model")
        archive = base / "sourcedir.tar.gz"
        archive.write_bytes(package_inference.build_archive())
        files.download_and_extract(str(archive), str(base / "code"))
        socket_path = str(base / "gunicorn.sock")
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        environment.update(SAGEMAKER_BASE_DIR=str(base), SAGEMAKER_PROGRAM="inference.py",
                           SAGEMAKER_SUBMIT_DIRECTORY=str(archive), OMP_NUM_THREADS="1")
        log = open(base / "gunicorn.log", "w+", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--timeout", "60", "-k", "gevent",
             "--pythonpath", f"{base / 'code'},{TESTS_DIR}", "-b", f"unix:{socket_path}",
             "--worker-connections", "1000", "-w", "1", "--log-level", "info", "xgboost_serving:main"],
            cwd=base, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, f"gunicorn exited {process.returncode}:\n{(base / 'gunicorn.log').read_text()}"
            try:
                if http_ping(socket_path) == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"no 200 from /ping:\n{(base / 'gunicorn.log').read_text()}"
            time.sleep(0.2)
        yield {"socket": socket_path, "log": base / "gunicorn.log", "code": base / "code"}
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the session started with gunicorn: its master and worker
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        shutil.rmtree(base, ignore_errors=True)


def test_the_server_imported_inference_py_from_the_extracted_archive(server):
    assert f"user module inference from {server['code'] / 'inference.py'}" in server["log"].read_text()


def test_a_good_request_gets_the_same_predictions_over_http_as_in_process(server, endpoint, loaded_model):
    body = {"instances": synthesised(loaded_model.transform, 100, seed=5)}
    answer = http_invoke(server["socket"], body)
    assert (answer.status, answer.content_type) == (200, "application/json")
    assert answer.body == endpoint.invoke(body).body and len(json.loads(answer.body)["predictions"]) == 100


def test_every_malformed_request_of_the_corpus_gets_its_4xx_and_json_error_over_http(server, endpoint):
    for name, body, status, text in CASES:
        answer = http_invoke(server["socket"], body)
        assert (answer.status, answer.content_type) == (status, "application/json"), (name, answer.body[:300])
        assert text in answer.error, name
        assert answer.body == endpoint.invoke(body).body, name


@pytest.mark.parametrize("content_type, accept, status", [("text/csv", "application/json", 415),
                                                          ("application/json", "text/csv", 406)])
def test_a_wrong_content_type_or_accept_gets_its_4xx_over_http(server, content_type, accept, status):
    answer = http_invoke(server["socket"], {"instances": [good_record()]}, content_type, accept)
    assert answer.status == status and "must be application/json" in answer.error
