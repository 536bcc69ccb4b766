"""TRL training entry points (sft, dpo, pipeline), their typed configs, the tiny preset's tokenizer and model
initialisation. Run through `thce train ...`; see docs/TRAINING.md. `core` never imports this package."""
