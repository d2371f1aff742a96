"""The OpenAI-compatible API on a real `rag serve` app (Gradio + FastAPI on 127.0.0.1), called with
the real `openai` Python client: models listed, plain and streamed answers with their citations, the
conversation used for a follow-up, the key enforced, bad requests answered in OpenAI's error shape."""
import httpx
import openai
import pytest

from ui_support import KNIVES, KNIVES_ID, build_pipeline, serving


@pytest.fixture(scope="module")
def server(tmp_path_factory, real_embedder):
    from ui.app import build_app

    pipeline = build_pipeline(tmp_path_factory.mktemp("api-idx"), real_embedder)
    with serving(build_app(pipeline, pipeline.settings, tmp_path_factory.mktemp("fb") / "f.jsonl",
                           api_key="test-key")) as url:
        yield url


@pytest.fixture
def client(server):
    with openai.OpenAI(base_url=server + "v1", api_key="test-key", max_retries=0) as c:
        yield c


def test_models_list_one_id_per_answerer(client):
    ids = [m.id for m in client.models.list()]
    assert ids[:1] == ["press-rag-extractive"] and "press-rag-local" in ids and "press-rag-openai" in ids


def test_a_plain_answer_carries_its_markers_sources_and_citations(client):
    r = client.chat.completions.create(model="press-rag-extractive", messages=[{"role": "user", "content": KNIVES}])
    text = r.choices[0].message.content
    assert "10 knives" in text and "[1]" in text and "\n\nSources:\n[1] " in text
    cites = r.model_extra["citations"]
    assert cites and cites[0]["n"] == 1 and cites[0]["release_id"] == "000_0fc0534938e8ed63.txt"
    assert cites[0]["quote"] and cites[0]["end"] > cites[0]["start"] and cites[0]["date"] == "2022-04-12"
    assert r.model_extra["refused"] is False and r.choices[0].finish_reason == "stop"


def test_a_stream_sends_the_same_answer_and_the_citations_on_its_last_chunk(client):
    plain = client.chat.completions.create(model="press-rag-extractive", messages=[{"role": "user", "content": KNIVES}])
    parts, last = [], None
    for chunk in client.chat.completions.create(model="press-rag-extractive", stream=True,
                                                messages=[{"role": "user", "content": KNIVES}]):
        parts.append(chunk.choices[0].delta.content or "")
        last = chunk
    assert "".join(parts) == plain.choices[0].message.content and len([p for p in parts if p]) >= 2
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"] == plain.model_extra["citations"]


def test_the_conversation_reads_a_follow_up(client):
    def follow_up(question):
        return client.chat.completions.create(model="press-rag-extractive", messages=[
            {"role": "user", "content": KNIVES}, {"role": "assistant", "content": "10 knives [1]"},
            {"role": "user", "content": question}])
    # read with the conversation, "they" is the Luton operation: only its release is quoted (asked alone, the
    # answer also quotes another release's sentence about sweeps)
    r = follow_up("How many sweeps did they carry out?")
    cites = r.model_extra["citations"]
    assert cites and all(c["release_id"] == KNIVES_ID for c in cites)
    assert "20 weapons sweeps" in r.choices[0].message.content
    r = follow_up("And how many arrests did they make?")
    assert r.model_extra["citations"][0]["release_id"] == KNIVES_ID and "21 arrests" in r.choices[0].message.content


def test_the_key_is_required(server):
    with openai.OpenAI(base_url=server + "v1", api_key="wrong", max_retries=0) as c:
        with pytest.raises(openai.AuthenticationError) as err:
            c.models.list()
    assert err.value.status_code == 401 and err.value.body["code"] == "invalid_api_key"
    assert httpx.get(server + "v1/models").status_code == 401


def test_bad_requests_get_openai_shaped_errors(client, server):
    with pytest.raises(openai.NotFoundError) as err:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": KNIVES}])
    assert "unknown model 'gpt-4o'; valid: press-rag-extractive" in err.value.body["message"]
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model="press-rag-extractive", messages=[])
    assert err.value.body["param"] == "messages"
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model="press-rag-extractive", messages=[{"role": "user", "content": KNIVES}],
                                       extra_body={"filters": {"from": "last tuesday"}})
    assert err.value.body["param"] == "filters" and "last tuesday" in err.value.body["message"]
    r = httpx.post(server + "v1/chat/completions", content=b"{not json", headers={"Authorization": "Bearer test-key"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"


def test_filters_and_k_go_through(client):
    r = client.chat.completions.create(model="press-rag-extractive", messages=[{"role": "user", "content": KNIVES}],
                                       extra_body={"filters": {"to": "2020-01-01"}, "k": 3})
    assert r.model_extra["refused"] is True and r.model_extra["citations"] == []


def test_the_api_is_off_beyond_loopback_without_a_key(tmp_path, real_embedder):
    from ui.app import build_app

    pipeline = build_pipeline(tmp_path / "idx", real_embedder)
    with serving(build_app(pipeline, pipeline.settings, tmp_path / "f.jsonl", api=False)) as url:
        r = httpx.get(url + "v1/models")
        assert r.status_code == 403 and "--api-key" in r.json()["error"]["message"]


def readme_example(name: str) -> str:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    m = re.search(rf"<!-- example: {name} -->\n```\w+\n(.*?)```", text, re.DOTALL)
    assert m, f"README example {name!r} not found"
    return m.group(1)


def test_the_readme_examples_run_as_written(tmp_path, real_embedder):
    """The README's Python and curl examples, pointed at a key-less loopback server's port."""
    import subprocess
    import sys
    from urllib.parse import urlsplit

    from ui.app import build_app

    pipeline = build_pipeline(tmp_path / "idx", real_embedder)
    with serving(build_app(pipeline, pipeline.settings, tmp_path / "f.jsonl")) as url:
        here = urlsplit(url).netloc
        py = readme_example("python-client").replace("127.0.0.1:7860", here)
        out = subprocess.run([sys.executable, "-c", py], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert "10 knives" in out.stdout and "\n1 Since February" in out.stdout
        sh = readme_example("curl").replace("127.0.0.1:7860", here)
        out = subprocess.run(["bash", "-c", sh], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.rstrip().endswith("data: [DONE]") and '"citations": [{"n": 1' in out.stdout
