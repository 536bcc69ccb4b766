from pathlib import Path

import pytest
from trl import DPOConfig, SFTConfig

from core.paths import REPO_ROOT
from core.paths import TRAINING_CONFIG_DIR as CONFIGS
from training.config import ConfigError, make_stage_parser, parse_settings


def _parse(config_cls, *argv):
    return parse_settings(make_stage_parser(config_cls), list(argv))


@pytest.mark.parametrize("name", ["stage_1", "stage_2", "stage_1_tiny", "stage_2_tiny"])
def test_sft_configs_parse(name):
    settings = _parse(SFTConfig, "--config", str(CONFIGS / f"{name}.yaml"), "--dry-run")
    train = settings.train
    assert train.packing and train.max_length >= 1024 and train.report_to in ("none", ["none"], [])
    assert settings.model.chat_template_file == str(REPO_ROOT / "training" / "chat_template.jinja")
    assert Path(settings.data.train_file).is_absolute() and Path(train.output_dir).is_absolute()
    if name.endswith("_tiny"):
        assert train.bf16 is False and settings.model.model_dtype == "float32"
    else:
        assert train.bf16 is True and train.assistant_only_loss


@pytest.mark.parametrize("name", ["stage_3", "stage_3_tiny"])
def test_dpo_configs_parse(name):
    settings = _parse(DPOConfig, "--config", str(CONFIGS / f"{name}.yaml"), "--dry-run")
    assert 0 < settings.train.beta <= 0.5 and settings.train.loss_type == ["sigmoid"]
    assert settings.model.model_name_or_path.endswith("stage_2")  # stage 3 starts from stage 2's output


def test_tiny_stage_1_is_the_scaled_down_smollm2_shape():
    settings = _parse(SFTConfig, "--config", str(CONFIGS / "stage_1_tiny.yaml"))
    shape = settings.shape
    assert settings.model.init_from_scratch and shape.tie_word_embeddings
    assert (shape.hidden_size, shape.num_hidden_layers, shape.num_attention_heads, shape.num_key_value_heads,
            shape.intermediate_size) == (256, 6, 4, 2, 768)


def test_flags_override_the_yaml():
    settings = _parse(SFTConfig, "--config", str(CONFIGS / "stage_1_tiny.yaml"), "--learning_rate", "1e-4",
                      "--max_steps", "7", "--train_file", "/tmp/x.jsonl")
    assert settings.train.learning_rate == pytest.approx(1e-4)
    assert settings.train.max_steps == 7 and settings.data.train_file == "/tmp/x.jsonl"


def test_unknown_yaml_key_is_an_error(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("train_file: x.jsonl\nbf16: false\nlearning_rat: 0.1\n")
    with pytest.raises(ConfigError, match=r"unknown key\(s\) in .*c.yaml: \['learning_rat'\]"):
        _parse(SFTConfig, "--config", str(config))


def test_unknown_flag_and_bad_value_are_one_line_errors():
    config = str(CONFIGS / "stage_1_tiny.yaml")
    with pytest.raises(ConfigError, match=r"unknown command-line flag\(s\): \['--lerning_rate', '1'\]"):
        _parse(SFTConfig, "--config", config, "--lerning_rate", "1")
    with pytest.raises(ConfigError, match="invalid float value: 'abc'"):
        _parse(SFTConfig, "--config", config, "--learning_rate", "abc")


def test_missing_config_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        _parse(SFTConfig, "--config", str(tmp_path / "nope.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n- not a mapping\n")
    with pytest.raises(ConfigError, match="YAML mapping"):
        _parse(SFTConfig, "--config", str(bad))


def test_yaml_paths_are_from_the_repo_root_and_flag_paths_from_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = _parse(SFTConfig, "--config", str(CONFIGS / "stage_2_tiny.yaml"), "--train_file", "mine.jsonl")
    assert settings.data.train_file == str(tmp_path / "mine.jsonl")
    assert settings.train.output_dir == str(REPO_ROOT / "data" / "runs" / "thce-tiny" / "stage_2")
    assert settings.model.model_name_or_path == str(REPO_ROOT / "data" / "runs" / "thce-tiny" / "stage_1")
    hub = _parse(SFTConfig, "--config", str(CONFIGS / "stage_1.yaml"), "--dry-run")
    assert hub.model.model_name_or_path == "HuggingFaceTB/SmolLM2-135M-Instruct"


@pytest.mark.parametrize("name", ["stage_1_smol", "stage_2_smol", "stage_1_smol_gpu", "stage_2_smol_gpu"])
def test_smol_configs_train_a_lora_adapter(name):
    settings = _parse(SFTConfig, "--config", str(CONFIGS / f"{name}.yaml"), "--dry-run")
    model, train = settings.model, settings.train
    assert model.use_peft and model.lora_r == 16 and model.lora_target_modules == ["all-linear"]
    assert train.assistant_only_loss and not train.packing  # no padding trained on CPU; GPU batches pad
    assert train.bf16 is name.endswith("_gpu") and model.model_dtype == "float32"
    run = "thce-smol-gpu" if name.endswith("_gpu") else "thce-smol"
    assert f"data/runs/{run}/" in Path(train.output_dir).as_posix()


def test_pipeline_clock_and_rate_flags():
    from training.pipeline import PRESETS, make_parser
    from training.pipeline_budget import measured_rate

    args = make_parser().parse_args(["--preset", "smol-gpu", "--restart-clock", "--tokens-per-s", "12345"])
    assert args.restart_clock and PRESETS["smol-gpu"].base_model == PRESETS["smol"].base_model

    class _Run:  # what measured_rate reads of a pipeline
        preset, state = PRESETS["smol-gpu"], {}

    _Run.args = args
    assert measured_rate(_Run, 1280) == 12345
    _Run.args = make_parser().parse_args(["--preset", "smol-gpu"])
    assert measured_rate(_Run, 1280) == PRESETS["smol-gpu"].tokens_per_s


def test_a_yaml_syntax_error_is_one_line_naming_the_file_and_line(tmp_path):
    """Regression: PyYAML's message spans lines ('expected ...\\n  in "FILE", line 2, column 1'), so a config
    with a syntax error (or a JSONL file given as --config) printed a two-line error, not the documented one line."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("learning_rate: 1e-4\n{broken: [\n")
    with pytest.raises(ConfigError) as caught:
        _parse(SFTConfig, "--config", str(bad))
    message = str(caught.value)
    assert "\n" not in message and "is not valid YAML" in message and "line 3" in message
