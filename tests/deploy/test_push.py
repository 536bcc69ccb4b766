"""`thce push model|dataset`: dry runs print what would go; pushes go through a fake HfApi (no network)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import core.hub
from core.cli import app
from core.hub import HubError, Upload, hub_token, push, read_dotenv
from core.paths import MODELS_DIR
from core.publish import dataset_upload, model_upload

PAIR = {"id": "review-1", "prompt": [{"role": "user", "content": "Narrative: ..."}],
        "chosen": [{"role": "assistant", "content": "<think>x</think>{}"}],
        "rejected": [{"role": "assistant", "content": "<think>y</think>{}"}], "source": "review", "meta": {}}


class FakeApi:
    calls: list = []

    def __init__(self, token=None):
        self.token = token

    def create_repo(self, repo_id, **kwargs):
        FakeApi.calls.append(("create_repo", repo_id, kwargs, self.token))
        return f"https://huggingface.co/{repo_id}"

    def create_commit(self, repo_id, operations, **kwargs):
        FakeApi.calls.append(("create_commit", repo_id, sorted(op.path_in_repo for op in operations), kwargs))


@pytest.fixture
def hub(monkeypatch):
    """A fake HfApi behind core.hub.push, a token, and a reachable hub."""
    import huggingface_hub

    FakeApi.calls = []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    monkeypatch.setattr(core.hub, "check_reachable", lambda: None)
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    return FakeApi


@pytest.fixture
def exports(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "pairs.jsonl").write_text("\n".join(json.dumps(dict(PAIR, id=f"review-{i}")) for i in range(3)) + "\n")
    kto = {"prompt": PAIR["prompt"], "completion": PAIR["chosen"], "label": True}
    (folder / "kto.jsonl").write_text(json.dumps(kto) + "\n")
    return folder


def test_model_push_sends_the_folder_with_its_card_privately(hub):
    result = CliRunner().invoke(app, ["push", "model", str(MODELS_DIR / "thce-tiny"), "--repo", "me/thce-tiny"])
    assert result.exit_code == 0, result.output
    (_, repo, kwargs, token), (_, _, paths, commit) = hub.calls
    assert repo == "me/thce-tiny" and kwargs["private"] is True and kwargs["repo_type"] == "model"
    assert token == "hf_test" and {"README.md", "config.json", "model.safetensors"} <= set(paths)
    assert commit["repo_type"] == "model" and "pushed to https://huggingface.co/me/thce-tiny" in result.output


def test_dataset_push_adds_a_generated_card(hub, exports):
    result = CliRunner().invoke(app, ["push", "dataset", str(exports), "--repo", "me/reviews", "--public"])
    assert result.exit_code == 0, result.output
    assert hub.calls[0][2]["private"] is False and hub.calls[0][2]["repo_type"] == "dataset"
    assert hub.calls[1][2] == ["README.md", "kto.jsonl", "pairs.jsonl"]
    card = dataset_upload(exports, "me/reviews").files["README.md"]
    assert "| `pairs.jsonl` | dpo | 3 |" in card and "| `kto.jsonl` | kto | 1 |" in card
    assert "config_name: pairs" in card and "path: pairs.jsonl" in card and "Privacy" in card


def test_dry_run_prints_what_would_go_and_sends_nothing(hub, exports):
    result = CliRunner().invoke(app, ["push", "dataset", str(exports / "pairs.jsonl"), "--repo", "me/r", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and "dataset me/r (private): 2 files" in result.output
    assert "pairs.jsonl" in result.output and "README.md" in result.output and hub.calls == []


def test_bad_input_is_a_clear_error(hub, exports, tmp_path):
    (exports / "pairs.jsonl").write_text(json.dumps(PAIR) + "\n{broken\n")
    with pytest.raises(HubError, match="pairs.jsonl line 2: invalid JSON"):
        dataset_upload(exports, "me/r")
    with pytest.raises(HubError, match="no model card"):
        (tmp_path / "m").mkdir()
        (tmp_path / "m" / "config.json").write_text("{}")
        model_upload(tmp_path / "m", "me/m")
    result = CliRunner().invoke(app, ["push", "model", str(tmp_path), "--repo", "me/m"])
    assert result.exit_code == 1 and "Error:" in result.output and "Traceback" not in result.output
    assert hub.calls == []


def test_a_bad_repository_id_is_refused_even_in_a_dry_run(hub, exports):
    """Regression: `--repo "bad repo id" --dry-run` reported success."""
    result = CliRunner().invoke(app, ["push", "dataset", str(exports / "pairs.jsonl"), "--repo", "bad repo id",
                                      "--dry-run"])
    assert result.exit_code == 1 and "is not a Hub repository id" in result.output and "dry run" not in result.output
    assert hub.calls == []


def test_token_comes_from_the_environment_or_a_dotenv_file(monkeypatch, tmp_path):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(core.hub, "REPO_ROOT", tmp_path / "nowhere")
    with pytest.raises(HubError, match="no Hugging Face token"):
        hub_token()
    (tmp_path / ".env").write_text("# tokens\nexport HF_TOKEN='hf_from_file'\nOTHER=1\n")
    assert read_dotenv(tmp_path / ".env") == {"HF_TOKEN": "hf_from_file", "OTHER": "1"}
    assert hub_token() == "hf_from_file"
    monkeypatch.setenv("HF_TOKEN", "hf_env")
    assert hub_token() == "hf_env"


def test_offline_mode_refuses_to_push(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(HubError, match="HF_HUB_OFFLINE"):
        push(Upload("me/x", "model", files={"a.txt": "a"}), "test")
