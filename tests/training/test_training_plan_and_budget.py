import time
from types import SimpleNamespace

import pytest
from transformers import TrainerControl

from training.budget import TimeLimitCallback, split_budget, steps_for
from training.plan import build_plan, format_plan


def _args(**overrides):
    values = {"max_length": 1000, "packing": True, "per_device_train_batch_size": 2, "gradient_accumulation_steps": 2,
              "max_steps": -1, "num_train_epochs": 2.0, "device": "cpu"}
    return SimpleNamespace(**{**values, **overrides})


def test_packed_plan_counts_sequences_from_tokens():
    plan = build_plan("sft", [600] * 10 + [1500], _args(), n_params=1_000_000, measured_throughput=1000.0)
    assert plan.tokens_per_epoch == 7000 and plan.n_truncated == 1  # the long record is cut to max_length
    assert plan.sequences_per_epoch == 7 and plan.steps == 4  # ceil(7 / 4) steps per epoch x 2 epochs
    assert plan.est_seconds == pytest.approx(14.0)
    assert "measured" in format_plan(plan)


def test_unpacked_plan_and_max_steps():
    plan = build_plan("sft", [100] * 9, _args(packing=False, max_steps=3), n_params=None)
    assert plan.sequences_per_epoch == 9 and plan.steps == 3 and plan.est_seconds is None


def test_dpo_plan_adds_the_reference_model():
    plan = build_plan("dpo", [1200] * 8, _args(packing=False, num_train_epochs=1.0), n_params=10, measured_throughput=100)
    assert plan.tokens_to_process == int(9600 * 4 / 3)


def test_steps_for_budget():
    assert steps_for(seconds=100, tokens_per_s=1000, tokens_per_step=4000) == 25
    assert steps_for(100, 1000, 4000, cost_factor=2.0) == 12
    assert steps_for(100, 1000, 4000, max_steps=10) == 10
    assert steps_for(0, 1000, 4000) == 1
    assert split_budget(100, {"a": 1, "b": 3}) == {"a": 25.0, "b": 75.0}


def test_time_limit_stops_and_saves():
    callback = TimeLimitCallback(max_seconds=0.01)
    state, control = SimpleNamespace(global_step=3, max_steps=10), TrainerControl()
    callback.on_train_begin(None, state, control)
    assert not callback.on_step_end(None, state, control).should_training_stop
    time.sleep(0.02)
    control = callback.on_step_end(None, state, control)
    assert control.should_training_stop and control.should_save
