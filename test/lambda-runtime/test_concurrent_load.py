"""A bounded concurrent load under the Lambda runtime: no runtime error, no 5xx, bounded time and memory.

Lambda serves concurrent requests with one execution environment each (an environment never gets two
invokes at once; see lambda_rie.py), so the load is CLIENTS client threads, each with its own environment,
together sending REQUESTS invokes: valid batches of 1 to 1,000 shared-data rows mixed with malformed requests
from the seed's corpus. Every response must equal the direct handler call for its event.

Memory: the runtime process's RSS is read after a warm-up pass over every distinct event (imports, model,
allocator pools all in place) and again after the load; it may grow by at most RSS_GROWTH_LIMIT_KB per
environment. Measured here, a warm environment's RSS wanders by up to about 3.5 MB with no trend (85-89 MB
over 10,000 invokes), so the bound is 8 MB over the 2,000 invokes each environment serves: it catches a leak
of 4 KB or more per request. A handler that kept every event it was sent grew by 20 MB here.
"""

from __future__ import annotations

import statistics
import threading
import time

import test_malformed_requests as malformed
from http_events import LambdaContext, api_event

CLIENTS = 4
REQUESTS = 8000  # 2,000 per environment: enough for the memory bound below to see a small leak
LOAD_DEADLINE_S = 180.0
RSS_GROWTH_LIMIT_KB = 8 * 1024
BATCH_SIZES = (1, 1, 1, 1, 10, 10, 100, 250, 1000)
MALFORMED_EVERY = 3  # one request in three is malformed


def _distinct_events(records: list[dict]) -> list[dict]:
    """Valid batches (distinct rows) interleaved with malformed corpus events, in a fixed order."""
    valid = [api_event({"instances": records[offset:offset + size]})
             for offset, size in zip(range(0, len(records), 97), BATCH_SIZES * 5)]
    bad = [case.event for case in malformed.CORPUS]
    events = []
    while valid or bad:
        for _ in range(MALFORMED_EVERY - 1):
            if valid:
                events.append(valid.pop(0))
        if bad:
            events.append(bad.pop(0))
    return events


def _percentile(values: list[float], fraction: float) -> float:
    if len(values) < 2:  # nothing to rank: the assertions below say why
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def test_concurrent_load_has_no_runtime_error_no_5xx_and_bounded_time_and_memory(start_environment, direct_handler,
                                                                                  shared_records, capsys):
    events = _distinct_events(shared_records)
    expected = [direct_handler(event, LambdaContext()) for event in events]
    environments = [start_environment() for _ in range(CLIENTS)]
    for environment in environments:  # warm-up: the first invoke runs the init (lazy in the emulator)
        for event in events:
            environment.invoke(event)
    rss_before = [environment.runtime_rss_kb() for environment in environments]

    failures: list[str] = []
    sent_ids: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        environment = environments[number]
        for index in range(number, REQUESTS, CLIENTS):
            position = index % len(events)
            try:
                invocation = environment.invoke(events[position])
            except Exception as exc:  # noqa: BLE001 - a transport failure is one of the counted errors
                with lock:
                    failures.append(f"request {index}: {type(exc).__name__}: {exc}")
                continue
            with lock:
                sent_ids.append(invocation.request_id)
                payload = invocation.payload
                if invocation.http_status != 200 or invocation.runtime_error is not None:
                    failures.append(f"request {index}: HTTP {invocation.http_status}: {str(payload)[:300]}")
                elif payload.get("statusCode", 500) >= 500:
                    failures.append(f"request {index}: 5xx: {str(payload)[:300]}")
                elif payload != expected[position]:
                    failures.append(f"request {index}: differs from the direct call: {str(payload)[:300]}")

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, LOAD_DEADLINE_S - (time.monotonic() - started)))
    elapsed = time.monotonic() - started
    rss_after = [environment.runtime_rss_kb() for environment in environments]

    reported = {}
    for environment in environments:
        reported.update(environment.durations_ms())
    durations = [reported[request_id] for request_id in sent_ids if request_id in reported]
    growth = [after - before for before, after in zip(rss_before, rss_after)]
    with capsys.disabled():
        print(f"\nLambda runtime load: {len(sent_ids)} requests sent by {CLIENTS} clients in {elapsed:.1f} s, "
              f"{len(failures)} errors; Duration p50 {_percentile(durations, 0.5):.2f} ms, "
              f"p99 {_percentile(durations, 0.99):.2f} ms (REPORT lines); runtime RSS MB before "
              f"{[round(kb / 1024, 1) for kb in rss_before]}, after {[round(kb / 1024, 1) for kb in rss_after]}")

    assert not any(thread.is_alive() for thread in threads), f"load did not finish within {LOAD_DEADLINE_S} s"
    assert failures == [], failures[:10]
    assert len(sent_ids) == REQUESTS
    assert len(durations) == REQUESTS, "every invoke has its REPORT line"
    assert max(growth) <= RSS_GROWTH_LIMIT_KB, f"runtime RSS grew by {growth} KB (limit {RSS_GROWTH_LIMIT_KB} KB)"
