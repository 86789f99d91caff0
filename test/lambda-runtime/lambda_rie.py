"""One Lambda execution environment on localhost: the Runtime Interface Emulator running awslambdaric.

What the emulator does, from its source at the pinned version
(github.com/aws/aws-lambda-runtime-interface-emulator, internal/lambda/rie/):

- Start (run.go, getBootstrap): ``aws-lambda-rie [flags] <bootstrap command...> <handler>``. Every argument after
  the flags is the runtime's command line, run in the emulator's working directory; the last one is also the
  handler. ``--runtime-interface-emulator-address`` (default 0.0.0.0:8080) is where invokes are accepted and
  ``--runtime-api-address`` (default 127.0.0.1:9001) is the Runtime API the runtime polls; both are set here so
  several environments can run side by side. The environment's variables are forwarded to the runtime
  (handlers.go, InitHandler), which is how MODEL_DIR and AWS_LAMBDA_RUNTIME_API reach awslambdaric.
- Invoke URL (http.go): ``POST /2015-03-31/functions/function/invocations``; the request body is the event, the
  ``X-Amzn-RequestId`` header the request id (handlers.go, InvokeHandler). The runtime is started lazily, by the
  first invoke: that invoke's Duration includes the init.
- One invoke at a time (rapidcore/server.go, Reserve): a second invoke while one is running fails to reserve
  ("ReserveFailed: AlreadyReserved") and the emulator then dereferences a nil reservation and crashes
  (aws/aws-lambda-runtime-interface-emulator#97). Lambda itself never sends an execution environment two
  invokes at once: it scales out with more environments. So concurrent load is one client per environment.
- REPORT line (handlers.go, printEndReports), printed on stdout before the response is written:
  ``REPORT RequestId: <id>\\t[Init Duration: <ms> ms\\t]Duration: <ms> ms\\tBilled Duration: <ms> ms\\t``
  ``Memory Size: <MB> MB\\tMax Memory Used: <MB> MB``. Max Memory Used is a copy of Memory Size ("there is not a
  clean way to get this information from rapidcore"), so memory is read from the runtime process's RSS instead.
- A function error (an exception escaping the handler, or an event awslambdaric cannot unmarshal) still comes
  back as HTTP 200, with awslambdaric's ``{"errorMessage", "errorType", ...}`` document as the body.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
# The image's CMD (seed-repos/model-deploy/service/Dockerfile).
HANDLER = "app.handler.handler"
REPORT_LINE = re.compile(r"^REPORT RequestId: (?P<id>\S+)\t(?:Init Duration: [0-9.]+ ms\t)?Duration: (?P<ms>[0-9.]+) ms\t", re.M)
START_TIMEOUT_S = 20.0
INVOKE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Invocation:
    request_id: str
    http_status: int
    payload: Any  # the function's result, parsed from the response body

    @property
    def runtime_error(self) -> str | None:
        """awslambdaric's error type when the function failed instead of returning a response."""
        if isinstance(self.payload, dict) and "errorType" in self.payload:
            return str(self.payload["errorType"])
        return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LambdaEnvironment:
    """The emulator and awslambdaric running ``app.handler.handler`` from ``service_dir``."""

    def __init__(self, rie: Path, python: Path, service_dir: Path, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.port = free_port()
        self._command = [str(rie), "--runtime-interface-emulator-address", f"127.0.0.1:{self.port}",
                         "--runtime-api-address", f"127.0.0.1:{free_port()}",
                         str(python), "-m", "awslambdaric", HANDLER]
        self._cwd = service_dir
        self._env = env
        self._process: subprocess.Popen | None = None
        self._connection: http.client.HTTPConnection | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> "LambdaEnvironment":
        log = open(self.log_path, "wb")
        # Own process group: stop() ends the emulator and the runtime it started, and nothing else.
        self._process = subprocess.Popen(self._command, cwd=self._cwd, env=self._env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"aws-lambda-rie exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"aws-lambda-rie did not listen on port {self.port}:\n{self.log_tail()}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)

    def __enter__(self) -> "LambdaEnvironment":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ invoking
    def invoke(self, event: Any) -> Invocation:
        """Send one event, as Lambda's synchronous Invoke would; one caller at a time (see the module doc)."""
        return self.invoke_payload(json.dumps(event).encode("utf-8"))

    def invoke_payload(self, payload: bytes) -> Invocation:
        request_id = str(uuid.uuid4())
        if self._connection is None:
            self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=INVOKE_TIMEOUT_S)
        self._connection.request("POST", INVOKE_PATH, body=payload,
                                 headers={"Content-Type": "application/json", "X-Amzn-RequestId": request_id})
        response = self._connection.getresponse()
        body = response.read()
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = body.decode("utf-8", "replace")
        return Invocation(request_id, response.status, parsed)

    # ------------------------------------------------------------ observing
    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def durations_ms(self) -> dict[str, float]:
        """Duration of every invoke so far, from the emulator's REPORT lines, by request id."""
        return {match["id"]: float(match["ms"]) for match in REPORT_LINE.finditer(self.log_text())}

    def runtime_rss_kb(self) -> int:
        """Resident memory of the runtime process (awslambdaric, the emulator's child), from /proc."""
        assert self._process is not None
        children = [pid for pid in _pids() if _parent_of(pid) == self._process.pid]
        if len(children) != 1:
            raise RuntimeError(f"expected one runtime process under aws-lambda-rie, found {children}")
        for line in Path(f"/proc/{children[0]}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"/proc/{children[0]}/status has no VmRSS line")


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 4 is the parent pid; the command name (field 2) is parenthesised and may hold spaces.
    return int(stat.rsplit(")", 1)[1].split()[1])
