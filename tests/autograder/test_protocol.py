"""The wire format between judge and sandbox: exact round trips, and never any pickle."""

import io
import pickle
import struct

import numpy as np
import pytest
import torch

from autograder import protocol
from autograder.protocol import FnSpec, GenSpec, Opaque, ProtocolError

DTYPES = [
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
]


def roundtrip(value):
    return protocol.loads(protocol.dumps("value", value)).payload


def same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return (
            type(b) is torch.Tensor
            and a.dtype == b.dtype
            and a.shape == b.shape
            and a.device == b.device
            and torch.equal(a.cpu(), b.cpu())
        )
    if isinstance(a, np.ndarray):
        return type(b) is np.ndarray and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, tuple | list):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and (a == b or (a != a and b != b))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_tensor_roundtrip_every_dtype(dtype, device):
    x = (torch.randn(3, 4, dtype=torch.float64) * 10).to(dtype).to(device)
    assert same(x, roundtrip(x))


def test_zero_dim_non_contiguous_and_views(device):
    base = torch.arange(24, dtype=torch.float32, device=device).reshape(4, 6)
    assert not base.T.is_contiguous() and not base[:, ::2].is_contiguous()
    complex_view = torch.randn(3, dtype=torch.complex64, device=device).conj()  # lazy conj bit
    empty = torch.empty(0, 3, device=device)
    for x in (
        torch.tensor(2.5, device=device),
        base.T,
        base[:, ::2],
        complex_view,
        base.neg(),
        empty,
    ):
        assert same(x.resolve_neg().resolve_conj(), roundtrip(x))
    grad = torch.ones(2, requires_grad=True)
    assert roundtrip(grad).requires_grad


def test_python_values_keep_their_exact_type():
    values = [
        None,
        True,
        0,
        -(2**70),
        1.5,
        float("inf"),
        float("nan"),
        -0.0,
        "saddle point",
        "ünïcödé",
        (1, 2.0),
        [1, (2, [3])],
        {"a": (torch.zeros(2),), "b": None},
        (),
        np.float64(0.25),
        np.arange(5, dtype=np.int32),
        torch.float16,
        torch.device("cpu"),
    ]
    for value in values:
        assert same(value, roundtrip(value)), value


def test_specs_and_opaque_objects():
    spec = FnSpec("quadratic", {"A": torch.eye(2), "b": torch.zeros(2)})
    back = roundtrip((spec, GenSpec(7, "cpu")))
    assert back[0].name == "quadratic" and torch.equal(back[0].params["A"], torch.eye(2))
    assert back[1] == GenSpec(7, "cpu")
    odd = roundtrip(object())
    assert isinstance(odd, Opaque) and odd.type == "builtins.object"
    assert isinstance(roundtrip({1: 2}), Opaque)  # non-string keys are not carried


def test_frames_are_framed_and_checked():
    data = protocol.dumps("call", ((torch.ones(3),), {}), function="f")
    message = protocol.loads(data)
    assert message.kind == "call" and message.meta == {"function": "f"}
    with pytest.raises(ProtocolError):
        protocol.loads(data[:-1])
    with pytest.raises(ProtocolError):
        protocol.loads(b"XXXX" + data[4:])


def test_a_pickle_stream_is_refused():
    """A blob holding pickle opcodes, or an object array, is rejected; nothing is unpickled."""
    boom = pickle.dumps(torch.ones(2))
    tree = {"t": "ndarray", "blob": 0}
    with pytest.raises(ProtocolError, match="pickle|npy"):
        protocol.unpack(tree, [boom])
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ProtocolError):
        protocol.unpack(tree, [buffer.getvalue()])
    # the same through a whole frame
    header = b'{"kind":"result","meta":{},"payload":{"t":"ndarray","blob":0},"blobs":[%d]}' % len(
        boom
    )
    frame = struct.pack("<4sIQ", b"AGP1", len(header), len(boom)) + header + boom
    with pytest.raises(ProtocolError):
        protocol.loads(frame)


def test_the_module_never_uses_pickle():
    import inspect

    source = inspect.getsource(protocol)
    assert "import pickle" not in source and "allow_pickle=True" not in source


def test_malformed_trees_and_bombs_are_refused():
    for tree in (
        {"t": "tensor"},
        {"t": "int", "v": "1"},
        {"t": "nope"},
        [],
        {"t": "float", "v": 1},
    ):
        with pytest.raises(ProtocolError):
            protocol.unpack(tree, [])
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(ProtocolError):
        protocol.pack(deep)


def test_uncarried_tensors_and_arrays_say_why():
    meta = roundtrip(torch.empty(3, device="meta"))
    assert isinstance(meta, Opaque) and meta.type.startswith("torch.Tensor on the meta device")
    sparse = roundtrip(torch.eye(2).to_sparse())
    assert isinstance(sparse, Opaque) and "layout torch.sparse_coo" in sparse.type
    objects = roundtrip(np.array([object()], dtype=object))
    assert isinstance(objects, Opaque) and objects.type == "numpy.ndarray of dtype object"


def test_tensor_subclasses_are_not_carried_but_parameters_are():
    class Liar(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return True

    liar = roundtrip(torch.zeros(2).as_subclass(Liar))
    assert isinstance(liar, Opaque) and liar.type.endswith("Liar")
    parameter = roundtrip(torch.nn.Parameter(torch.ones(2)))
    assert type(parameter) is torch.Tensor and parameter.requires_grad


def _frame(header: bytes | str, blobs: bytes = b"", *, total: int | None = None) -> bytes:
    header = header.encode() if isinstance(header, str) else header
    size = len(blobs) if total is None else total
    return struct.pack("<4sIQ", b"AGP1", len(header), size) + header + blobs


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _forged_npy(descr: str, shape: str, data: bytes = b"") -> bytes:
    """An .npy blob (version 1.0) with a hand-written header."""
    text = f"{{'descr': {descr}, 'fortran_order': False, 'shape': {shape}, }}"
    text += " " * (63 - (10 + len(text)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode() + data


def _result(payload: str, blobs: list[bytes]) -> bytes:
    lengths = ",".join(str(len(b)) for b in blobs)
    header = f'{{"kind":"result","meta":{{}},"payload":{payload},"blobs":[{lengths}]}}'
    return _frame(header, b"".join(blobs))


FORGED = {
    "huge float": _frame('{"kind":"r","payload":{"t":"float","v":"0x1p99999"}}'),
    "infinite JSON number": _frame('{"kind":"r","meta":{"x":1e999}}'),
    "NaN constant": _frame('{"kind":"r","meta":{"x":NaN}}'),
    "deep JSON": _frame("[" * 100_000 + "]" * 100_000),
    "int too long": _frame('{"kind":"r","meta":{"x":' + "9" * 5000 + "}}"),
    "negative blob length": _frame('{"kind":"r","blobs":[-1]}'),
    "huge blob table": _frame('{"kind":"r","blobs":[' + "9" * 30 + "]}"),
    "bool blob length": _frame('{"kind":"r","blobs":[true]}'),
    "not UTF-8": _frame(b'{"kind":"\xff"}'),
    "kind not text": _frame('{"kind":1}'),
    "meta not a dict": _frame('{"kind":"r","meta":[]}'),
    "unknown device": _frame('{"kind":"r","payload":{"t":"device","v":"cuda:99999999999999"}}'),
    "device garbage": _frame('{"kind":"r","payload":{"t":"device","v":"\\u0000:-1"}}'),
    "wrong tensor dtype string": _result(
        '{"t":"tensor","dtype":"torch.float32","shape":[2],"device":"cpu","blob":0}',
        [_npy(np.zeros(2, np.float32))],
    ),
    "tensor on a device that is not here": _result(
        '{"t":"tensor","dtype":"float32","shape":[2],"device":"cuda:7","blob":0}',
        [_npy(np.zeros(2, np.float32))],
    ),
    "tensor shape of floats": _result(
        '{"t":"tensor","dtype":"float32","shape":[2.0],"device":"cpu","blob":0}',
        [_npy(np.zeros(2, np.float32))],
    ),
    "tensor blob shorter than its shape": _result(
        '{"t":"tensor","dtype":"float32","shape":[3],"device":"cpu","blob":0}', [b"\0" * 8]
    ),
    "tensor shape larger than its data": _result(
        '{"t":"tensor","dtype":"float64","shape":[1000000000000],"device":"cpu","blob":0}',
        [b"\0" * 8],
    ),
    "tensor negative shape": _result(
        '{"t":"tensor","dtype":"float32","shape":[-1,-4],"device":"cpu","blob":0}', [b"\0" * 16]
    ),
    "tensor missing blob": _result(
        '{"t":"tensor","dtype":"float32","shape":[1],"device":"cpu","blob":3}', [b"\0" * 4]
    ),
    "npy shape larger than its data": _result(
        '{"t":"ndarray","blob":0}', [_forged_npy("'<f8'", "(1000000000000,)", b"\0" * 8)]
    ),
    "npy negative shape": _result('{"t":"ndarray","blob":0}', [_forged_npy("'<f8'", "(-1,)")]),
    "npy object dtype": _result('{"t":"ndarray","blob":0}', [_forged_npy("'|O'", "(1,)", b"x")]),
    "npy record dtype": _result(
        '{"t":"ndarray","blob":0}', [_forged_npy("[('a', '<f8')]", "(1,)", b"\0" * 8)]
    ),
    "npy unknown dtype": _result('{"t":"ndarray","blob":0}', [_forged_npy("'<q9'", "(1,)")]),
    "npy header not a dict": _result('{"t":"ndarray","blob":0}', [b"\x93NUMPY\x01\x00\x02\x00[]"]),
    "npy version 9": _result('{"t":"ndarray","blob":0}', [b"\x93NUMPY\x09\x00" + b"\0" * 10]),
    "npscalar of many values": _result('{"t":"npscalar","blob":0}', [_npy(np.zeros(3))]),
}


@pytest.mark.parametrize("frame", FORGED.values(), ids=FORGED.keys())
def test_every_forged_frame_is_a_protocol_error(frame):
    """Forged lengths, huge numbers, bad JSON, wrong dtype strings: a ProtocolError (the
    student's), never OverflowError, RecursionError or a grader error."""
    with pytest.raises(ProtocolError):
        protocol.loads(frame)


@pytest.mark.parametrize(
    "name", ["npy shape larger than its data", "tensor shape larger than its data"]
)
def test_a_forged_shape_is_refused_before_it_is_allocated(name):
    import tracemalloc

    frame = FORGED[name]
    tracemalloc.start()
    with pytest.raises(ProtocolError, match="length does not match"):
        protocol.loads(frame)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1 << 20


def test_fuzzed_frames_raise_only_protocol_errors():
    """Random mutations of valid frames (bit flips, truncation, spliced bytes, rewritten length
    fields): decoding either succeeds or raises ProtocolError."""
    rng = np.random.default_rng(12)
    valid = [
        protocol.dumps("result", (torch.ones(2, 3), np.arange(4), 1.5, "x", None), tripped=[]),
        protocol.dumps("raised", error={"type": "E", "message": "m", "traceback": ""}),
        protocol.dumps("result", {"a": [torch.zeros(2, dtype=torch.bfloat16), np.float32(2)]}),
    ]
    outcomes = {"decoded": 0, "refused": 0}
    for trial in range(3000):
        data = bytearray(valid[trial % len(valid)])
        for _ in range(int(rng.integers(1, 6))):
            move = int(rng.integers(0, 5))
            if not data:
                break
            at = int(rng.integers(0, len(data)))
            if move == 0:
                data[at] ^= 1 << int(rng.integers(0, 8))
            elif move == 1:
                data = data[:at]
            elif move == 2:
                data[at:at] = rng.bytes(int(rng.integers(1, 16)))
            elif move == 3 and len(data) >= 16:  # a forged header or blob length
                field = int(rng.choice([4, 8]))
                width = 4 if field == 4 else 8
                values = [0, 1, 2**31, 2 ** (8 * width) - 1, at]
                value = values[int(rng.integers(0, len(values)))]
                data[field : field + width] = value.to_bytes(width, "little")
            else:
                data[at : at + 1] = bytes([int(rng.integers(0, 256))])
        try:
            protocol.loads(bytes(data))
            outcomes["decoded"] += 1
        except ProtocolError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 1000, outcomes


def test_a_reply_over_its_bound_is_refused_from_its_prefix():
    """The size of a reply frame is checked against `reply_bound` before its header or payload
    is read: a child announcing 640 MB costs the judge nothing."""
    import os
    import time

    request = protocol.dumps("call", ((torch.ones(10),), {}), function="f")
    bound = protocol.reply_bound(request)
    assert protocol.REPLY_FLOOR <= bound <= protocol.REPLY_CEILING < 1 << 30
    assert protocol.reply_bound(1 << 40) == protocol.REPLY_CEILING
    ok = protocol.dumps("result", torch.zeros(1000))
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, ok)
        assert protocol.read_message(read_fd, time.monotonic() + 5, bound).kind == "result"
        # only the 16-byte prefix of a 640 MB reply is written: nothing more is ever read
        os.write(write_fd, struct.pack("<4sIQ", b"AGP1", 100, 640 << 20))
        with pytest.raises(ProtocolError, match="at most"):
            protocol.read_message(read_fd, time.monotonic() + 5, bound)
    finally:
        os.close(read_fd)
        os.close(write_fd)
    big = protocol.dumps("result", torch.zeros(2 << 20))  # 16 MiB of float32
    with pytest.raises(ProtocolError, match="at most"):
        protocol.loads(big, max_bytes=protocol.REPLY_FLOOR)
