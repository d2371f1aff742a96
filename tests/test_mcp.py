"""`rag mcp` over stdio, driven by the official MCP SDK's client as an agent would: the four tools
listed with their descriptions, each called on an index of the bundled corpus, bad values answered
as tool errors."""
import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from conftest import BUNDLED, REPO
from ui_support import KNIVES, KNIVES_ID


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, real_embedder):
    from rag.pipeline import index_corpus
    from rag.settings import Settings

    folder = tmp_path_factory.mktemp("mcp-idx")
    index_corpus(Settings(index_dir=str(folder), corpus=str(BUNDLED)), embedder=real_embedder)
    return folder


def readme_config(name: str = "mcp-config") -> dict:
    import re

    text = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(rf"<!-- example: {name} -->\n```json\n(.*?)```", text, re.DOTALL)
    assert m, f"README's MCP configuration {name!r} not found"
    return json.loads(m.group(1))["mcpServers"]["press-rag"]


def run_client(index_dir: Path, calls):
    """The README's configuration as written, with the test's index for ``.rag/index`` and the
    ``rag`` of this environment."""
    from mcp import Client, StdioServerParameters

    config = readme_config()
    command = os.path.join(os.path.dirname(sys.executable), config["command"])
    args = [str(index_dir) if a == ".rag/index" else a for a in config["args"]]
    params = StdioServerParameters(command=command, args=args, env=dict(os.environ), cwd=str(REPO))

    async def main():
        async with Client(params, read_timeout_seconds=120) as client:
            tools = await client.list_tools()
            results = [await client.call_tool(name, args) for name, args in calls]
            return tools, results

    return asyncio.run(main())


def payload(result):
    if result.structured_content is not None:
        data = result.structured_content
        return data.get("result", data) if isinstance(data, dict) and set(data) == {"result"} else data
    return json.loads(result.content[0].text)


def test_the_tools_are_listed_and_each_answers(index_dir):
    tools, (search, ask, release, count, bad_release, bad_k) = run_client(index_dir, [
        ("search_releases", {"query": "knives seized in Luton parks", "k": 3}),
        ("ask", {"question": KNIVES}),
        ("get_release", {"release_id": KNIVES_ID}),
        ("count_releases", {"topic": "weapons sweeps"}),
        ("get_release", {"release_id": "nope.txt"}),
        ("search_releases", {"query": "knives", "k": 500}),
    ])
    by_name = {t.name: t for t in tools.tools}
    assert set(by_name) == {"search_releases", "ask", "get_release", "count_releases"}
    assert all(len(t.description) > 80 for t in by_name.values())
    assert by_name["ask"].input_schema["required"] == ["question"]

    hits = payload(search)
    assert hits[0]["release_id"] == KNIVES_ID and hits[0]["end"] > hits[0]["start"] and len(hits) == 3
    answer = payload(ask)
    assert "10 knives" in answer["answer"] and answer["citations"][0]["release_id"] == KNIVES_ID
    assert answer["refused"] is False
    whole = payload(release)
    assert whole["date"] == "2022-04-12" and answer["citations"][0]["quote"] in whole["body"]
    counted = payload(count)
    assert counted["count"] == 1 and counted["matches"][0]["release_id"] == KNIVES_ID
    assert counted["criteria"] == "releases about “weapons sweeps” (scored by the fitted topic match)"
    assert bad_release.is_error and "no release with id 'nope.txt'" in bad_release.content[0].text
    assert bad_k.is_error and "k must be from 1 to 50, got 500" in bad_k.content[0].text


def http_calls(url: str, calls, key: str | None = None):
    """The SDK's client over streamable HTTP (``Authorization: Bearer key`` when a key is given)."""
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def main():
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        async with httpx2.AsyncClient(headers=headers, timeout=120) as http:
            async with Client(streamable_http_client(url, http_client=http), read_timeout_seconds=120) as client:
                tools = await client.list_tools()
                return tools, [await client.call_tool(name, args) for name, args in calls]

    return asyncio.run(main())


def test_the_serve_app_answers_the_same_tools_over_http_with_its_key(tmp_path, real_embedder):
    """`rag serve`'s /mcp: the four tools over streamable HTTP from the same process as the page and
    /v1, the bearer key enforced as for /v1."""
    import httpx

    from ui.app import build_app
    from ui_support import build_pipeline, serving

    pipeline = build_pipeline(tmp_path / "idx", real_embedder)
    with serving(build_app(pipeline, pipeline.settings, tmp_path / "f.jsonl", api_key="k1")) as url:
        endpoint = readme_config("mcp-http-config")["url"].replace("http://127.0.0.1:7860/", url)
        tools, (ask, bad) = http_calls(endpoint, [("ask", {"question": KNIVES}),
                                                     ("get_release", {"release_id": "nope.txt"})], key="k1")
        assert {t.name for t in tools.tools} == {"search_releases", "ask", "get_release", "count_releases"}
        answer = payload(ask)
        assert "10 knives" in answer["answer"] and answer["citations"][0]["release_id"] == KNIVES_ID
        assert bad.is_error and "no release with id 'nope.txt'" in bad.content[0].text
        init = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            r = httpx.post(url + "mcp", json=init, headers=headers)
            assert r.status_code == 401 and "API key" in r.json()["error"]
        assert httpx.get(url + "v1/models", headers={"Authorization": "Bearer k1"}).status_code == 200


def test_http_mcp_is_off_beyond_loopback_without_a_key(tmp_path, real_embedder):
    import httpx

    from ui.app import build_app
    from ui_support import build_pipeline, serving

    pipeline = build_pipeline(tmp_path / "idx", real_embedder)
    with serving(build_app(pipeline, pipeline.settings, tmp_path / "f.jsonl", api=False)) as url:
        r = httpx.post(url + "mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert r.status_code == 403 and "--api-key" in r.json()["error"]
