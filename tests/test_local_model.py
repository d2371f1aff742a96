"""The `local` answerer with the real bundled model in this process (llama.cpp, the shipped
settings: flash attention on), over the bundled corpus."""
import pytest

from rag.answer.llm import LLMAnswerer
from rag.settings import Settings

pytest.importorskip("llama_cpp", reason="llama-cpp-python is part of the install")


@pytest.fixture
def pipeline(bundled_pipeline):
    return bundled_pipeline


def test_the_shipped_local_model_runs_with_flash_attention_and_answers(pipeline):
    import llama_cpp

    llm = pipeline.answerer("local")
    assert isinstance(llm, LLMAnswerer) and llm.backend.flash_attn is True  # the shipped default
    q = "Who chose the name for the Dallow Cares campaign?"
    items = list(llm.stream(q, pipeline.search(q)))
    final = items[-1]
    assert llm.backend._llm.context_params.flash_attn_type == llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED
    assert len(items) > 2 and all(isinstance(i, str) for i in items[:-1])  # the model's tokens streamed
    assert final.answerer == "local", final.note  # the model's own answer, not a fallback or a rescue
    assert not final.refused and "Dallow Primary School" in final.text
    for c in final.citations:
        assert pipeline.index.release(c.release_id).body[c.start:c.end] == c.quote
    assert final.timings_ms["first_token"] > 0


def test_flash_attention_can_be_switched_off():
    settings = Settings().with_(local__flash_attn=False)
    from rag.answer.llm import local_answerer

    assert local_answerer(settings=settings).backend.flash_attn is False  # nothing loaded until first use
