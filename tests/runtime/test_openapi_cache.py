"""/api/v1/openapi.json is built once per process (it takes seconds to build)."""

from __future__ import annotations

import json
import time

from django.test import Client

from clientela.api.main import api


def test_schema_is_built_once_and_served_from_memory() -> None:
    first = api.get_openapi_schema()
    assert api.get_openapi_schema() is first  # the same object: not built again
    client = Client()
    started = time.perf_counter()
    served = [client.get("/api/v1/openapi.json") for _ in range(3)]
    elapsed = time.perf_counter() - started
    assert all(r.status_code == 200 for r in served)
    bodies = {r.content for r in served}
    assert len(bodies) == 1
    schema = json.loads(bodies.pop())
    assert schema["paths"] == json.loads(json.dumps(first["paths"]))
    # the gateway's additions are in the cached schema too
    post = next(op["post"] for op in schema["paths"].values() if "post" in op)
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    # building takes 1.5-7 s; three answers from memory take a fraction of one build
    assert elapsed < 1.5, f"three schema requests took {elapsed:.2f} s"
