"""A key/value cache that grows in place, and the reusable cache of the fixed prompt prefix.

transformers' `DynamicLayer` concatenates the whole cache on every generated token (O(length) copies per
step). `BufferedLayer` writes into a preallocated buffer that doubles when full and hands attention a view,
so a step costs the same at token 10 and token 1000. The system prompt is identical for every narrative:
its keys/values are computed once (`PrefixCache`) and copied into each new cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers.cache_utils import Cache, DynamicLayer


class BufferedLayer(DynamicLayer):
    """A DynamicLayer whose keys/values are views into a growing, preallocated buffer."""

    def __init__(self, capacity: int = 256):
        super().__init__()
        self.capacity = max(int(capacity), 1)
        self.length = 0
        self._key_buffer: torch.Tensor | None = None
        self._value_buffer: torch.Tensor | None = None

    def _ensure_capacity(self, like_keys: torch.Tensor, like_values: torch.Tensor, needed: int) -> None:
        if self._key_buffer is not None and needed <= self._key_buffer.shape[-2]:
            return
        size = max(self.capacity, needed)
        if self._key_buffer is not None:
            size = max(size, 2 * self._key_buffer.shape[-2])
        keys = like_keys.new_empty((*like_keys.shape[:2], size, like_keys.shape[-1]))
        values = like_values.new_empty((*like_values.shape[:2], size, like_values.shape[-1]))
        if self._key_buffer is not None and self.length:
            keys[:, :, : self.length] = self._key_buffer[:, :, : self.length]
            values[:, :, : self.length] = self._value_buffer[:, :, : self.length]
        self._key_buffer, self._value_buffer = keys, values

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args, **kwargs):
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        end = self.length + key_states.shape[-2]
        self._ensure_capacity(key_states, value_states, end)
        self._key_buffer[:, :, self.length:end] = key_states
        self._value_buffer[:, :, self.length:end] = value_states
        self.length = end
        self.keys = self._key_buffer[:, :, :end]
        self.values = self._value_buffer[:, :, :end]
        return self.keys, self.values

    def get_seq_length(self) -> int:
        return self.length

    def reset(self) -> None:
        self.length = 0
        self._key_buffer = self._value_buffer = None
        super().reset()


def new_cache(num_layers: int, capacity: int) -> Cache:
    return Cache(layers=[BufferedLayer(capacity) for _ in range(num_layers)])


@dataclass
class PrefixCache:
    """Keys/values of a fixed token prefix (batch size 1), computed once."""

    token_ids: list[int]
    keys: list[torch.Tensor]
    values: list[torch.Tensor]

    @classmethod
    def compute(cls, model, token_ids: list[int]) -> PrefixCache:
        num_layers = model.config.num_hidden_layers
        cache = new_cache(num_layers, len(token_ids))
        device = next(model.parameters()).device
        with torch.inference_mode():
            model(input_ids=torch.tensor([token_ids], device=device), cache=cache, use_cache=True,
                  logits_to_keep=1)
        return cls(list(token_ids), [layer.keys.clone() for layer in cache.layers],
                   [layer.values.clone() for layer in cache.layers])

    def matches(self, prompt_ids: list[int]) -> bool:
        n = len(self.token_ids)
        return len(prompt_ids) > n and prompt_ids[:n] == self.token_ids

    def new_cache(self, batch_size: int, capacity: int) -> Cache:
        """A fresh cache for `batch_size` rows that already holds the prefix."""
        cache = new_cache(len(self.keys), capacity)
        for layer, keys, values in zip(cache.layers, self.keys, self.values, strict=True):
            layer.update(keys.expand(batch_size, -1, -1, -1), values.expand(batch_size, -1, -1, -1))
        return cache


def common_prefix(a: list[int], b: list[int]) -> list[int]:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]
