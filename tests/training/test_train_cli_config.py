"""Stage configs and flags: no prefix matching of flags, a bad YAML value is blamed on the file and key (not
the command line), a key given twice in a YAML file is an error."""

import pytest
from trl import DPOConfig, SFTConfig

from core.paths import TRAINING_CONFIG_DIR as CONFIGS
from training.config import ConfigError, make_stage_parser, parse_settings

TINY = (CONFIGS / "stage_1_tiny.yaml").read_text(encoding="utf-8")


def _parse(config_cls, *argv):
    return parse_settings(make_stage_parser(config_cls), list(argv))


def _config(tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("config_cls", "name"), [(SFTConfig, "stage_1_tiny"), (DPOConfig, "stage_3_tiny")])
def test_a_typod_flag_is_unknown_not_a_prefix_of_a_real_one(config_cls, name):
    config = str(CONFIGS / f"{name}.yaml")
    with pytest.raises(ConfigError, match=r"unknown command-line flag\(s\): \['--learning_rat', '1e-4'\]"):
        _parse(config_cls, "--config", config, "--learning_rat", "1e-4")
    with pytest.raises(ConfigError, match="unknown command-line flag"):
        _parse(config_cls, "--config", config, "--max_step=3")


def test_a_bad_yaml_value_names_the_file_and_key(tmp_path):
    config = _config(tmp_path, TINY.replace("learning_rate: 1.0e-3", "learning_rate: abc"))
    with pytest.raises(ConfigError) as caught:
        _parse(SFTConfig, "--config", config)
    message = str(caught.value)
    assert "invalid command line" not in message
    assert f"key 'learning_rate' in {config}" in message and "invalid float value: 'abc'" in message
    bad_choice = _config(tmp_path, TINY.replace("model_dtype: float32", "model_dtype: float64"))
    with pytest.raises(ConfigError, match=r"key 'model_dtype' in .*c.yaml: 'float64' is not one of"):
        _parse(SFTConfig, "--config", bad_choice)


def test_a_flag_still_overrides_a_bad_yaml_value_and_a_bad_flag_blames_the_command_line(tmp_path):
    config = _config(tmp_path, TINY.replace("learning_rate: 1.0e-3", "learning_rate: abc"))
    assert _parse(SFTConfig, "--config", config, "--learning_rate", "1e-4").train.learning_rate == pytest.approx(1e-4)
    with pytest.raises(ConfigError, match=r"invalid command line: argument --learning_rate\S*: invalid float value"):
        _parse(SFTConfig, "--config", str(CONFIGS / "stage_1_tiny.yaml"), "--learning_rate", "abc")


def test_a_key_repeated_in_the_yaml_is_refused(tmp_path):
    config = _config(tmp_path, TINY + "\nlearning_rate: 2.0e-3\n")
    with pytest.raises(ConfigError, match=r"duplicate key 'learning_rate' in .*c.yaml \(lines \d+ and \d+\)"):
        _parse(SFTConfig, "--config", config)
