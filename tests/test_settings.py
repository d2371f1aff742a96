"""The settings tree: defaults < rag.toml < environment < arguments, every value by short name
or by path, errors that name the file or variable and the bad value."""
from __future__ import annotations

import pytest

from rag.config import DEFAULT_CACHE_DIR, ExtractiveConfig, LLMPolicy
from rag.errors import ConfigError
from rag.settings import ALIASES, Settings, load_settings


@pytest.fixture(autouse=True)
def no_toml_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_defaults_form_one_tree_that_round_trips():
    s = Settings()
    tree = s.to_dict()
    assert tree["retrieval"]["top_k"] == 5 and tree["embedding"]["backend"] == "openvino-int8"
    assert tree["local"]["policy"]["steps"] == ["ground", "outcome", "figure", "lookup", "centre", "rescue", "quote_lead"]
    assert tree["openai"]["policy"]["steps"] == ["ground", "outcome", "figure", "lookup", "centre", "rescue"]
    assert tree["extractive"] == {"max_sentences": 4, "more_sentences": 3, "min_support": 0.38, "min_relative": 0.75,
                                  "reader": True, "reader_weights": "", "compose": "reader", "min_reader": 0.3,
                                  "other_release": 0.0, "second_figure": 0.9, "release_support": True,
                                  "outcome_check": True, "sentence_shape": True, "figure_check": True,
                                  "fresh_parts": True, "part_support": 0.25,
                                  "evidence": {"top_k": 10, "dense_weight": 0.6}}
    assert Settings.from_dict(tree) == s
    assert load_settings(env={}) == s and s.cache.dir == DEFAULT_CACHE_DIR


def test_every_short_name_points_into_the_tree():
    s = Settings()
    for name, path in ALIASES.items():
        assert s.get(name) == s.get(path), name


def test_rag_toml_takes_short_names_and_sections(tmp_path):
    (tmp_path / "rag.toml").write_text(
        'top_k = 8\nembed_backend = "torch"\n[extractive]\nmin_support = 0.5\n'
        '[local.policy]\nsteps = ["ground", "lookup"]\nmax_chars = 300\n', encoding="utf-8")
    s = load_settings(env={})
    assert s.retrieval.top_k == 8 and s.embedding.backend == "torch"
    assert s.extractive.min_support == 0.5 and s.extractive.max_sentences == 4
    assert s.local.policy.steps == ("ground", "lookup") and s.local.policy.max_chars == 300
    assert s.local.policy.max_sources == 3  # the rest of the local policy keeps its own defaults


def test_rag_toml_errors_name_the_file_and_the_key(tmp_path):
    (tmp_path / "rag.toml").write_text("[extractive]\nmin_suport = 0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rag.toml: unknown setting\(s\) min_suport in \[extractive\]; valid: .*min_support"):
        load_settings(env={})
    (tmp_path / "rag.toml").write_text("top_k = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="rag.toml: top_k must be an integer >= 1, got 0"):
        load_settings(env={})
    (tmp_path / "rag.toml").write_text("top_k = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read settings file rag.toml"):
        load_settings(env={})
    with pytest.raises(ConfigError, match="settings file not found: nope.toml"):
        load_settings("nope.toml", env={})


def test_environment_by_short_name_by_path_and_the_openai_names(tmp_path):
    (tmp_path / "rag.toml").write_text("top_k = 8\n", encoding="utf-8")
    s = load_settings(env={"RAG_TOP_K": "9", "RAG_DATES": "off", "RAG_EMBED_THREADS": "1",
                           "RAG_VECTOR_INDEX": "faiss-ivf-sq8", "RAG_EMBED_CACHE": "off",
                           "RAG_LOCAL_MODEL": "/models/x.gguf", "RAG_EXTRACTIVE__MIN_SUPPORT": "0.45",
                           "RAG_OPENAI__POLICY__STEPS": "ground, rescue", "OPENAI_BASE_URL": "http://h:1/v1",
                           "OPENAI_API_KEY": "sk-secret", "RAG_LLM_MODEL": "m"})
    assert s.retrieval.top_k == 9 and s.retrieval.dates is False  # the environment beats the file
    assert s.embedding.threads == 1 and s.vectors.kind == "faiss-ivf-sq8" and s.cache.embed_cache == "off"
    assert s.local.model_path == "/models/x.gguf" and s.extractive.min_support == 0.45
    assert s.openai.policy.steps == ("ground", "rescue")
    assert (s.openai.base_url, s.openai.api_key, s.openai.model) == ("http://h:1/v1", "sk-secret", "m")
    assert s.to_dict(redact=True)["openai"]["api_key"] == "***" and "sk-secret" not in str(s.to_dict(redact=True))


def test_cache_folder_follows_xdg_unless_set():
    assert load_settings(env={"XDG_CACHE_HOME": "/xdg"}).cache.dir == "/xdg/press-rag"
    assert load_settings(env={"XDG_CACHE_HOME": "/xdg", "RAG_CACHE_DIR": "/c"}).cache.dir == "/c"


@pytest.mark.parametrize("env, message", [
    ({"RAG_TOP_K": "many"}, "RAG_TOP_K must be an integer, got 'many'"),
    ({"RAG_TOP_K": "0"}, "RAG_TOP_K='0': top_k must be an integer >= 1, got 0"),
    ({"RAG_DATES": "maybe"}, "RAG_DATES must be true or false, got 'maybe'"),
    ({"RAG_EXTRACTIVE__MIN_SUPPORT": "2"}, "RAG_EXTRACTIVE__MIN_SUPPORT='2': min_support must be a number between 0 and 1"),
    ({"RAG_NOPE__X": "1"}, "RAG_NOPE__X='1': unknown setting 'nope.x'"),
    ({"RAG_LOCAL__POLICY__STEPS": "ground,guess"}, "unknown LLM step(s) 'guess'"),
])
def test_bad_environment_values_name_the_variable_and_the_value(env, message):
    with pytest.raises(ConfigError) as err:
        load_settings(env=env)
    assert message in str(err.value)


def test_with_takes_short_names_and_paths_and_ignores_unset_options():
    s = Settings().with_(top_k=7, retrieval__rerank="overlap", answerer=None, extractive__evidence__top_k=9)
    assert s.retrieval.top_k == 7 and s.retrieval.rerank == "overlap" and s.answerer == "extractive"
    assert s.extractive.evidence.top_k == 9
    assert Settings().with_(extractive=ExtractiveConfig(max_sentences=2)).extractive.max_sentences == 2
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        Settings().with_(colour="red")
    with pytest.raises(ConfigError, match="max_sentences must be an integer from 1 to 10, got 0"):
        Settings().with_(extractive__max_sentences=0)


def test_component_configs_validate_and_quote_the_bad_value():
    with pytest.raises(ConfigError, match="unsupported must be one of mark, remove, got 'hide'"):
        LLMPolicy(unsupported="hide")
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) colour in \[LLMPolicy\]"):
        LLMPolicy().with_(colour="red")
