"""Writing one safetensors file tensor by tensor, so that only the tensor being written is in memory.

``safetensors.torch.save_file`` takes a dict of every tensor of the file at once. The format
allows streaming (an 8-byte little-endian header length, a JSON header with each tensor's dtype,
shape and byte range, then the bytes in that order), and the header can be computed from shapes
alone. The layout here is ``save_file``'s own, so the files are byte-identical to it (a test checks):
tensors ordered by dtype (widest first) then by name, compact JSON with ``__metadata__`` first,
the header padded with spaces to a multiple of 8 bytes.

    with SafetensorsStream(path, {"b": ((2, 3), "F32"), "a": ((4,), "BF16")}, {"format": "pt"}) as out:
        for name in out.order:          # ["b", "a"]: F32 sorts before BF16
            out.write(name, tensor_of(name))
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from types import TracebackType
from typing import Any, Self

# safetensors' Dtype enum in declaration order; files list wider/later dtypes first (save_file's sort).
DTYPE_ORDER = ("BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "I16", "U16",
               "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64")
ITEM_BYTES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "I16": 2, "U16": 2,
              "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "C64": 8, "F64": 8, "I64": 8, "U64": 8}


class SafetensorsStream:
    """A safetensors file whose tensors are announced up front (name -> (shape, dtype)) and then
    written one at a time, each in ``order``."""

    def __init__(self, path: Path, tensors: dict[str, tuple[tuple[int, ...], str]],
                 metadata: dict[str, str] | None = None) -> None:
        self.order = sorted(tensors, key=lambda n: (-DTYPE_ORDER.index(tensors[n][1]), n))
        header: dict[str, Any] = {"__metadata__": metadata} if metadata else {}
        self._sizes: dict[str, int] = {}
        offset = 0
        for name in self.order:
            shape, dtype = tensors[name]
            size = math.prod(shape) * ITEM_BYTES[dtype]
            header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
            self._sizes[name] = size
            offset += size
        text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        text += b" " * (-len(text) % 8)
        self._next = 0
        self._file = open(path, "wb")  # noqa: SIM115 (closed by __exit__)
        self._file.write(struct.pack("<Q", len(text)) + text)

    def write(self, name: str, tensor: Any) -> None:
        """Write ``name``'s data (a torch tensor of the announced shape and dtype, in ``order``)."""
        import torch

        expected = self.order[self._next] if self._next < len(self.order) else None
        data = tensor.detach().contiguous().reshape(-1).view(torch.uint8).numpy()
        if name != expected or data.nbytes != self._sizes[name]:
            raise ValueError(f"safetensors stream: got {name} ({data.nbytes} bytes), expected {expected}")
        self._file.write(memoryview(data))
        self._next += 1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._file.close()
        if kind is None and self._next != len(self.order):
            raise ValueError(f"safetensors stream: {len(self.order) - self._next} tensors were not written")
