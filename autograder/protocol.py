"""Plain-data messages between the judge and the sandboxed child: JSON header + binary blobs.

Nothing is ever pickled, in either direction. A frame is

    b"AGP1" | u32 header length | u64 blob length | header (UTF-8 JSON) | blobs

where the header is `{"kind": ..., "meta": {...}, "payload": <tree>, "blobs": [len, ...]}`. A
tensor's blob is its raw C-ordered bytes: the tree carries its dtype and shape, and a blob whose
length is not prod(shape) × itemsize is refused before anything is allocated. A numpy array
travels as a `.npy` blob read back with `allow_pickle=False` (object arrays, and any blob that is
not an `.npy` file, are rejected). The payload tree tags each value with its exact
Python type so that the judge can tell a Tensor from an ndarray, a tuple from a list, a float
from an int:

    {"t": "none"} | {"t": "bool", "v": true} | {"t": "int", "v": 3} | {"t": "float", "v": hex}
    {"t": "str", "v": "..."} | {"t": "list"|"tuple", "items": [...]}
    {"t": "dict", "items": [["key", <tree>], ...]}                (string keys only)
    {"t": "tensor", "dtype": "float32", "shape": [2, 3], "device": "cuda:0",
     "requires_grad": false, "blob": 0}
    {"t": "ndarray", "blob": 1} | {"t": "npscalar", "blob": 2}
    {"t": "dtype", "v": "float64"} | {"t": "device", "v": "cpu"}
    {"t": "fn", "name": "quadratic", "params": <dict tree>}        (see autograder.catalogue)
    {"t": "generator", "seed": 7, "device": "cpu"}
    {"t": "opaque", "type": "module.Class", "repr": "..."}         (anything else a learner returns)

A tensor is carried only if its type is exactly torch.Tensor (or nn.Parameter, which arrives as
a plain tensor): a subclass could answer for its attributes through `__torch_function__`, so it
is opaque, as are meta, sparse and quantized tensors and arrays of objects.

This module is imported by the child before learner code runs, so it must not import anything
from the course beyond the standard library, numpy and torch.
"""

from __future__ import annotations

import functools
import io
import json
import math
import os
import select
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

MAGIC = b"AGP1"
_PREFIX = struct.Struct("<4sIQ")  # magic, header length, total blob length
MAX_HEADER_BYTES = 8 << 20
MAX_BLOB_BYTES = 1 << 30  # a request from the judge; a reply is bounded by `reply_bound`
REPLY_FLOOR = 4 << 20  # any reply may be this large (every check's results are far smaller)
REPLY_FACTOR = 16  # ... or this many times the request it answers
REPLY_CEILING = 64 << 20  # ... but never larger
MAX_DEPTH = 32
MAX_NODES = 100_000
MAX_REPR = 200

# Array dtypes allowed in a blob: numbers and booleans only (no objects, no structured records).
_NPY_KINDS = {"b", "i", "u", "f", "c"}
# Torch dtypes numpy cannot hold travel as the raw bits of a same-sized integer dtype.
_BITCAST = {
    torch.bfloat16: torch.int16,
    torch.float8_e4m3fn: torch.int8,
    torch.float8_e5m2: torch.int8,
}
_TORCH_DTYPES = {
    str(d).removeprefix("torch."): d
    for d in (
        torch.bool,
        torch.uint8,
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
        torch.float16,
        torch.bfloat16,
        torch.float32,
        torch.float64,
        torch.complex64,
        torch.complex128,
        torch.float8_e4m3fn,
        torch.float8_e5m2,
    )
}
_DTYPE_NAMES = {dtype: name for name, dtype in _TORCH_DTYPES.items()}


class ProtocolError(Exception):
    """A frame or value that does not follow the protocol (corrupt, oversized, or pickled)."""


@dataclass(frozen=True)
class FnSpec:
    """A loss function from the fixed catalogue, sent by name: the child builds the callable."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GenSpec:
    """A torch.Generator, sent as its seed and device: the child builds and seeds it."""

    seed: int
    device: str = "cpu"


@dataclass(frozen=True)
class Opaque:
    """A value of a type the protocol does not carry (only its type name and a short repr)."""

    type: str
    repr: str


@dataclass
class Message:
    kind: str
    meta: dict[str, Any]
    payload: Any = None


# --------------------------------------------------------------------------- values <-> trees


def _npy_bytes(array: np.ndarray) -> bytes:
    if array.dtype.kind not in _NPY_KINDS:
        raise ProtocolError(f"arrays of dtype {array.dtype} are not carried")
    buffer = io.BytesIO()
    np.save(
        buffer, np.array(array, order="C", copy=not array.flags.c_contiguous), allow_pickle=False
    )
    return buffer.getvalue()


def _npy_array(blob: bytes) -> np.ndarray:
    """The array of an `.npy` blob whose header (dtype, shape) is checked against the blob's
    length BEFORE any memory is allocated for it: a forged shape is refused, not allocated."""
    if not blob.startswith(b"\x93NUMPY"):
        raise ProtocolError("a blob is not an .npy array (pickled or corrupt data is refused)")
    stream = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except Exception as error:  # numpy raises ValueError, SyntaxError, TypeError, ...
        raise ProtocolError(f"unreadable .npy header: {error}") from None
    if dtype.kind not in _NPY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ProtocolError(f"arrays of dtype {dtype} are not carried")
    if not all(type(n) is int and 0 <= n < 1 << 48 for n in shape):
        raise ProtocolError("an .npy blob has a malformed shape")
    if math.prod(shape) * dtype.itemsize != len(blob) - stream.tell():
        raise ProtocolError("an .npy blob's length does not match its dtype and shape")
    data = np.frombuffer(blob, dtype=dtype, offset=stream.tell())
    return data.reshape(shape, order="F" if fortran else "C").copy()


def _device_name(device: torch.device) -> str:
    if device.type == "cpu":
        return "cpu"
    return f"{device.type}:{device.index if device.index is not None else 0}"


def pack(value: Any) -> tuple[Any, list[bytes]]:
    """Turn a value into a JSON-able tree and the list of its array blobs."""
    blobs: list[bytes] = []
    count = [0]

    def add(data: bytes) -> int:
        blobs.append(data)
        return len(blobs) - 1

    def walk(v: Any, depth: int) -> Any:
        count[0] += 1
        if depth > MAX_DEPTH or count[0] > MAX_NODES:
            raise ProtocolError("value too deeply nested or too large to send")
        kind = type(v)  # the common exact types first (a subclass takes the long way below)
        if kind is torch.Tensor:
            return walk_tensor(v)
        if kind is float:
            return {"t": "float", "v": v.hex()}
        if kind is tuple:
            return {"t": "tuple", "items": [walk(x, depth + 1) for x in v]}
        if kind is int:
            return {"t": "int", "v": v}
        if v is None:
            return {"t": "none"}
        if isinstance(v, bool):
            return {"t": "bool", "v": v}
        if isinstance(v, np.generic):
            if np.asarray(v).dtype.kind not in _NPY_KINDS:
                return _opaque(v)
            return {"t": "npscalar", "blob": add(_npy_bytes(np.asarray(v)))}
        if type(v) is int or (isinstance(v, int) and not isinstance(v, bool)):
            return {"t": "int", "v": int(v)}
        if isinstance(v, float):
            return {"t": "float", "v": float(v).hex()}
        if isinstance(v, str):
            return {"t": "str", "v": str(v)}
        if isinstance(v, torch.Tensor):
            if type(v) not in (torch.Tensor, torch.nn.Parameter):  # a subclass may lie about
                return _opaque(v)  # its attributes through __torch_function__: not carried
            return walk_tensor(v)
        if isinstance(v, np.ndarray):
            if v.dtype.kind not in _NPY_KINDS or v.dtype.fields is not None:
                return _opaque(v, f"numpy.ndarray of dtype {v.dtype}")
            return {"t": "ndarray", "blob": add(_npy_bytes(v))}
        if isinstance(v, tuple) and not hasattr(v, "_fields"):
            return {"t": "tuple", "items": [walk(x, depth + 1) for x in v]}
        if isinstance(v, tuple):  # a namedtuple (e.g. torch.return_types) travels as a tuple
            return {"t": "tuple", "items": [walk(x, depth + 1) for x in tuple(v)]}
        if isinstance(v, list):
            return {"t": "list", "items": [walk(x, depth + 1) for x in v]}
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                return _opaque(v)
            return {"t": "dict", "items": [[k, walk(x, depth + 1)] for k, x in v.items()]}
        if isinstance(v, torch.dtype):
            return {"t": "dtype", "v": str(v).removeprefix("torch.")}
        if isinstance(v, torch.device):
            return {"t": "device", "v": _device_name(v)}
        if isinstance(v, FnSpec):
            return {"t": "fn", "name": v.name, "params": walk(dict(v.params), depth + 1)}
        if isinstance(v, GenSpec):
            return {"t": "generator", "seed": int(v.seed), "device": str(v.device)}
        if isinstance(v, Opaque):
            return {"t": "opaque", "type": v.type, "repr": v.repr}
        return _opaque(v)

    def walk_tensor(t: torch.Tensor) -> Any:
        if t.is_meta:
            return _opaque(t, "torch.Tensor on the meta device (shape only, no values)")
        if t.layout != torch.strided or t.is_quantized:
            return _opaque(t, f"torch.Tensor with layout {t.layout} (quantized: {t.is_quantized})")
        name = _DTYPE_NAMES.get(t.dtype)
        if name is None:
            return _opaque(t)
        data = t.detach()
        if data.is_conj() or data.is_neg():
            data = data.resolve_conj().resolve_neg()
        if not data.is_contiguous():
            data = data.contiguous()
        if data.device.type != "cpu":
            data = data.cpu()
        if data.dtype in _BITCAST:
            data = data.view(_BITCAST[data.dtype])
        return {
            "t": "tensor",
            "dtype": name,
            "shape": list(t.shape),
            "device": _device_name(t.device),
            "requires_grad": bool(t.requires_grad),
            "blob": add(data.numpy().tobytes()),
        }

    return walk(value, 0), blobs


def _opaque(v: Any, kind: str | None = None) -> dict[str, str]:
    """An uncarried value: its type (`kind` describes it better when given) and a short repr."""
    try:
        text = repr(v)
    except Exception:  # a learner's __repr__ may raise anything
        text = "<unprintable>"
    if kind is None:
        kind = f"{type(v).__module__}.{type(v).__qualname__}"
    return {"t": "opaque", "type": kind[:200], "repr": text[:MAX_REPR]}


def unpack(tree: Any, blobs: list[bytes]) -> Any:
    """Rebuild a value from its tree and blobs; tensors land on the device they are tagged with."""
    count = [0]

    def blob(node: dict) -> np.ndarray:
        index = node.get("blob")
        if not isinstance(index, int) or not 0 <= index < len(blobs):
            raise ProtocolError("a value refers to a missing blob")
        return _npy_array(blobs[index])

    def walk(node: Any, depth: int) -> Any:
        count[0] += 1
        if depth > MAX_DEPTH or count[0] > MAX_NODES:
            raise ProtocolError("value too deeply nested or too large")
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise ProtocolError("malformed value tree")
        t = node["t"]
        if t == "none":
            return None
        if t == "bool":
            return _typed(node, "v", bool)
        if t == "int":
            return _typed(node, "v", int)
        if t == "float":
            try:
                return float.fromhex(_typed(node, "v", str))
            except (ValueError, OverflowError):
                raise ProtocolError("malformed float") from None
        if t == "str":
            return _typed(node, "v", str)
        if t in ("list", "tuple"):
            items = [walk(x, depth + 1) for x in _typed(node, "items", list)]
            return items if t == "list" else tuple(items)
        if t == "dict":
            out = {}
            for pair in _typed(node, "items", list):
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                    raise ProtocolError("malformed dict entry")
                out[pair[0]] = walk(pair[1], depth + 1)
            return out
        if t == "tensor":
            index = node.get("blob")
            if not isinstance(index, int) or not 0 <= index < len(blobs):
                raise ProtocolError("a value refers to a missing blob")
            return _tensor(node, blobs[index])
        if t == "ndarray":
            return blob(node)
        if t == "npscalar":
            array = blob(node)
            if array.ndim != 0:
                raise ProtocolError("a numpy scalar must be 0-dimensional")
            return array[()]
        if t == "dtype":
            name = _typed(node, "v", str)
            if name not in _TORCH_DTYPES:
                raise ProtocolError(f"unknown dtype {name!r}")
            return _TORCH_DTYPES[name]
        if t == "device":
            return _device(_typed(node, "v", str))
        if t == "fn":
            params = walk(node.get("params", {"t": "dict", "items": []}), depth + 1)
            return FnSpec(_typed(node, "name", str), params)
        if t == "generator":
            return GenSpec(_typed(node, "seed", int), _typed(node, "device", str))
        if t == "opaque":
            return Opaque(str(node.get("type", "?"))[:200], str(node.get("repr", ""))[:MAX_REPR])
        raise ProtocolError(f"unknown value tag {t!r}")

    return walk(tree, 0)


def _typed(node: dict, key: str, kind: type) -> Any:
    value = node.get(key)
    if kind is int and isinstance(value, bool):
        raise ProtocolError(f"field {key!r} must be an int")
    if not isinstance(value, kind):
        raise ProtocolError(f"field {key!r} must be {kind.__name__}")
    return value


@functools.lru_cache(maxsize=64)
def _device(name: str) -> torch.device:
    """A device name from the other side: `cpu` or `cuda:<index>` only."""
    kind, _, index = name.partition(":")
    if name != "cpu" and not (kind == "cuda" and index.isdigit() and len(index) < 4):
        raise ProtocolError(f"unknown device {name[:40]!r}")
    return torch.device(name)


def _tensor(node: dict, blob: bytes) -> torch.Tensor:
    """A tensor from its raw bytes; their length must be prod(shape) × itemsize, checked before
    anything is allocated (a forged shape is refused, never allocated)."""
    name = _typed(node, "dtype", str)
    if name not in _TORCH_DTYPES:
        raise ProtocolError(f"unknown tensor dtype {name!r}")
    dtype = _TORCH_DTYPES[name]
    shape = _typed(node, "shape", list)
    if len(shape) > MAX_DEPTH or not all(type(n) is int and 0 <= n < 1 << 48 for n in shape):
        raise ProtocolError("a tensor's shape must be a short list of non-negative ints")
    carried = _BITCAST.get(dtype, dtype)
    if math.prod(shape) * carried.itemsize != len(blob):
        raise ProtocolError("a tensor's blob length does not match its dtype and shape")
    if blob:  # a writable copy of the bytes, owned by the tensor
        data = torch.frombuffer(bytearray(blob), dtype=carried).reshape(shape)
    else:
        data = torch.empty(shape, dtype=carried)
    if dtype in _BITCAST:
        data = data.view(dtype)
    device = _device(_typed(node, "device", str))
    if device.type != "cpu":
        try:
            data = data.to(device)
        except Exception as error:  # no such device here: the sender made it up
            raise ProtocolError(f"a tensor on an unavailable device {device}: {error}") from None
    if node.get("requires_grad") is True and (data.is_floating_point() or data.is_complex()):
        data.requires_grad_(True)
    return data


# --------------------------------------------------------------------------- frames


def dumps(kind: str, payload: Any = None, **meta: Any) -> bytes:
    """Encode one message: `meta` must be JSON-able plain data, `payload` any carried value."""
    tree, blobs = pack(payload)
    header = json.dumps(
        {"kind": kind, "meta": meta, "payload": tree, "blobs": [len(b) for b in blobs]},
        allow_nan=False,
        separators=(",", ":"),
    ).encode()
    total = sum(len(b) for b in blobs)
    return _PREFIX.pack(MAGIC, len(header), total) + header + b"".join(blobs)


def loads(data: bytes, max_bytes: int | None = None) -> Message:
    """Decode one complete frame (see `dumps`); any malformation raises ProtocolError."""
    if len(data) < _PREFIX.size:
        raise ProtocolError("truncated frame")
    header_len, total = _check_prefix(data[: _PREFIX.size], max_bytes)
    if len(data) != _PREFIX.size + header_len + total:
        raise ProtocolError("frame length does not match its prefix")
    return _decode(
        data[_PREFIX.size : _PREFIX.size + header_len], data[_PREFIX.size + header_len :]
    )


def reply_bound(request: bytes | int) -> int:
    """The largest reply frame accepted for a request of this size:
    min(REPLY_CEILING, max(REPLY_FLOOR, REPLY_FACTOR × request bytes)). What a check asks for
    (a step of an optimizer, a layer's output, a Hessian of a few parameters, He weights up to
    64 × 256) is far below it; a child that answers with more is refused before it is read."""
    size = request if isinstance(request, int) else len(request)
    return min(REPLY_CEILING, max(REPLY_FLOOR, REPLY_FACTOR * size))


def _check_prefix(prefix: bytes, max_bytes: int | None = None) -> tuple[int, int]:
    magic, header_len, total = _PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise ProtocolError("not a protocol frame (bad magic bytes)")
    if header_len > MAX_HEADER_BYTES or total > MAX_BLOB_BYTES:
        raise ProtocolError("frame too large")
    if max_bytes is not None and _PREFIX.size + header_len + total > max_bytes:
        raise ProtocolError(
            f"a reply of {_PREFIX.size + header_len + total} bytes, where at most {max_bytes} "
            "were expected (a result far larger than this exercise asks for)"
        )
    return header_len, total


def _decode(header_bytes: bytes, blob_bytes: bytes) -> Message:
    """The message of a frame: every way a frame can be malformed is a ProtocolError."""
    try:
        return _decode_unchecked(header_bytes, blob_bytes)
    except ProtocolError:
        raise
    except Exception as error:  # OverflowError, RecursionError, MemoryError from a forged frame
        raise ProtocolError(f"malformed frame ({type(error).__name__})") from None


def _decode_unchecked(header_bytes: bytes, blob_bytes: bytes) -> Message:
    try:
        header = json.loads(
            header_bytes.decode("utf-8"),
            parse_constant=_reject_constant,
            parse_float=_finite_float,
        )
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, RecursionError) as error:
        raise ProtocolError(f"unreadable header: {str(error)[:200]}") from None
    if not isinstance(header, dict) or not isinstance(header.get("kind"), str):
        raise ProtocolError("malformed header")
    lengths = header.get("blobs", [])
    if not isinstance(lengths, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in lengths
    ):
        raise ProtocolError("malformed blob table")
    if sum(lengths) != len(blob_bytes):
        raise ProtocolError("blob table does not match the frame")
    blobs, start = [], 0
    for n in lengths:
        blobs.append(blob_bytes[start : start + n])
        start += n
    meta = header.get("meta", {})
    if not isinstance(meta, dict):
        raise ProtocolError("malformed meta")
    return Message(header["kind"], meta, unpack(header.get("payload", {"t": "none"}), blobs))


def _reject_constant(name: str) -> None:
    raise ValueError(f"non-finite JSON constant {name}")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: JSON written from it again would be invalid
        raise ValueError(f"non-finite JSON number {text[:40]}")
    return value


def write_frame(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class Timeout(Exception):
    """The other side did not answer before the deadline."""


class Closed(Exception):
    """The other side closed the channel (for the child: it exited)."""


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, remaining = [], n
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise Timeout()
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                raise Timeout()
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise Closed()
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, deadline: float | None = None, max_bytes: int | None = None) -> Message:
    """Read one frame from a file descriptor; `deadline` is a time.monotonic() value.

    `max_bytes`: the largest frame accepted, checked from the frame's prefix before its
    header or payload is read (`reply_bound`); a larger one raises ProtocolError."""
    header_len, total = _check_prefix(_read_exact(fd, _PREFIX.size, deadline), max_bytes)
    header = _read_exact(fd, header_len, deadline)
    blobs = _read_exact(fd, total, deadline)
    return _decode(header, blobs)


def finite_or_none(x: float) -> float | None:
    """JSON has no NaN/inf: meta fields that may be non-finite go through this."""
    return x if math.isfinite(x) else None
