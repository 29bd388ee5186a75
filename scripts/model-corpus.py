#!/usr/bin/env python3
"""Builds the model-scan corpus and runs the oracles over it, for the MLCIModelScan tests.

    model-corpus.py build DIR SEED     write pickles (benign, malicious, odd spellings, mutants,
                                       all protocols), joblib files and real library files
    model-corpus.py oracle DIR         load every file with CPython's C unpickler (pickle.*) or
                                       joblib's own loader (*.joblib*) through a recording
                                       find_class that returns inert stand-ins; print JSON
    model-corpus.py peers DIR          run picklescan, fickling and modelscan; print JSON

Nothing in the corpus is ever executed: payload objects are pickled with __reduce__ returning
the real callables (pickle only writes their names), and the oracle's find_class never returns
a real global (except numpy.dtype and joblib's NumpyArrayWrapper, which joblib needs to read
its arrays and which run no code). The module import inside find_class is intercepted, so the
recorded names are exactly what CPython resolves after _compat_pickle's mappings and the
protocol-4 dotted walk.
"""
import builtins
import io
import json
import os
import pickle
import random
import struct
import sys
import zlib


def payloads():
    """(label, callable, args) of the payload classes: each runs code when loaded."""
    import operator, subprocess, runpy, webbrowser, socket, importlib, shutil, pty, functools
    import numpy.testing._private.utils as npt
    return [
        ("os_system", os.system, ("echo pwned",)),
        ("eval", builtins.eval, ("1+1",)),
        ("exec", builtins.exec, ("x=1",)),
        ("popen", subprocess.Popen, (["true"],)),
        ("check_output", subprocess.check_output, (["true"],)),
        ("getattr", builtins.getattr, ("abc", "upper")),
        ("import", builtins.__import__, ("os",)),
        ("import_module", importlib.import_module, ("os",)),
        ("methodcaller", operator.methodcaller, ("system", "id")),
        ("attrgetter", operator.attrgetter, ("system",)),
        ("runstring", npt.runstring, ("x=1", {})),
        ("run_code", runpy._run_code, ("x=1", {})),
        ("webbrowser", webbrowser.open, ("http://example.invalid",)),
        ("socket", socket.create_connection, (("127.0.0.1", 9),)),
        ("rmtree", shutil.rmtree, ("/nonexistent",)),
        ("spawn", pty.spawn, ("true",)),
        ("partial", functools.partial, (print,)),
        ("compile", builtins.compile, ("1", "f", "eval")),
        ("open", builtins.open, ("/etc/hostname",)),
    ]


class Payload:
    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def benign_objects():
    import collections
    import numpy as np
    objects = {
        "dict": {"a": 1, "b": [1.5, 2.5], "c": ("x", None, True), "d": b"bytes", "e": 10**30, "f": -7},
        "floats": [random.random() for _ in range(200)],
        "nested": {"k": {"l": [{"m": set([1, 2])}, frozenset(["z"])]}},
        "ordered": collections.OrderedDict([("x", 1), ("y", 2)]),
        "ndarray": np.arange(12, dtype=np.float64).reshape(3, 4),
        "int_array": np.array([1, 2, 3], dtype=np.int32),
        "scalars": [np.float64(1.5), np.int64(3)],
        "strings": ["é", "ascii", "\u2603"],
        "bytearray": bytearray(b"abc"),
    }
    return objects


def sklearn_objects():
    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    return {
        "logreg": LogisticRegression(max_iter=200).fit(X, y),
        "forest": RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y),
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y),
        "tree": DecisionTreeClassifier(max_depth=3).fit(X, y),
    }


def p0_global(module, name, arg="echo pwned"):
    return f"c{module}\n{name}\n(S'{arg}'\ntR.".encode()


def sbu(text):
    data = text.encode()
    return b"\x8c" + bytes([len(data)]) + data


def odd_spellings():
    """Hand-built files with the argument spellings where scanners and CPython disagree."""
    out = {}
    out["compat_builtin_eval_p2"] = b"\x80\x02c__builtin__\neval\n(S'1'\ntR."
    out["compat_commands_p0"] = b"ccommands\ngetoutput\n(S'id'\ntR."
    out["compat_copy_reg_p0"] = b"ccopy_reg\n_reconstructor\n(c__builtin__\nobject\nc__builtin__\nobject\nNtR."
    out["compat_reduce_p1"] = b"c__builtin__\nreduce\n(c__builtin__\nlen\n]tR."
    out["compat_p3_no_mapping"] = b"\x80\x03c__builtin__\neval\n(S'1'\ntR."
    out["proto_switch_p5_to_p2"] = b"\x80\x05\x80\x02c__builtin__\nxrange\n(K\x03tR."
    out["dotted_p4_numpy_os"] = b"\x80\x04" + sbu("numpy") + sbu("os.system") + b"\x93" + sbu("id") + b"\x85R."
    out["dotted_p4_reconstruct"] = b"\x80\x04" + sbu("numpy") + sbu("core.multiarray._reconstruct") + b"\x93."
    out["dotted_p2_global"] = b"\x80\x02cnumpy\ncore.multiarray._reconstruct\n."
    out["dotted_p4_global_opcode"] = b"\x80\x04cos\npath.join\n."
    out["string_escape_stack_global"] = b"\x80\x04S'o\\x73'\nS'sys\\164em'\n\x93S'id'\n\x85R."
    out["unicode_escape_stack_global"] = b"\x80\x04V\\u006fs\nVsystem\n\x93Vid\n\x85R."
    out["memo_put_odd_index"] = b"\x80\x04S'os'\np01\n0S'system'\np 2\n0g1\ng+2\n\x93S'id'\n\x85R."
    out["memo_underscore_index"] = b"\x80\x04S'os'\np1_0\n0S'system'\np2\n0g10\ng2\n\x93."
    out["memoize_after_binput"] = b"\x80\x04" + sbu("os") + b"q\x05" + sbu("system") + b"\x94h\x05h\x01\x93."
    out["int_octal_put"] = b"\x80\x04S'os'\np017\n0S'system'\np2\n0g15\ng2\n\x93."
    out["int_bool_spelling"] = b"I+1\nI 1\nI01\nI0x1f\nI0o17\nI1_000\nI99999999999999999999\nt."
    out["int_bad_spelling"] = b"I08\n."
    out["int_nul"] = b"I12\x00zz\n."
    out["long_spellings"] = b"L12L\nL0x10L\nL 12L\nL-5L\nt."
    out["long_bad_octal"] = b"L010L\n."
    out["float_spellings"] = b"F1.5\nFinf\nF-nan\nF1e5\nt."
    out["float_bad_space"] = b"F 1.5\n."
    out["float_overflow"] = b"F1e999\n."
    out["string_bad_quote"] = b"S'abc\"\n."
    out["string_non_ascii"] = b"S'\xe9'\n."
    out["string_bad_hex"] = b"S'\\x4'\n."
    out["global_cr"] = b"cbuiltins\r\nlen\r\n."
    out["global_trailing_space"] = b"cos \nsystem\n."
    out["ext1"] = b"\x80\x02\x82\x01."
    out["ext4_negative"] = b"\x80\x02\x84\xff\xff\xff\xff."
    out["stack_global_bytes"] = b"\x80\x04C\x02osC\x06system\x93."
    out["computed_stack_global"] = b"\x80\x04cbuiltins\nstr\n(S'os'\ntRS'system'\n\x93."
    out["reduce_list_args"] = b"cbuiltins\nlen\n]R."
    out["newobj_non_type"] = b"\x80\x02N)\x81."
    out["frame_past_end"] = b"\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00N."
    out["frame_nested"] = b"\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00\x95\x01\x00\x00\x00\x00\x00\x00\x00N."
    out["proto_6"] = b"\x80\x06N."
    out["stop_after_mark"] = b"N(."
    out["pop_mark"] = b"N(0."
    out["empty"] = b""
    out["random_bytes"] = bytes(random.getrandbits(8) for _ in range(64))
    out["stacked_benign_then_malicious"] = pickle.dumps([1, 2], protocol=2) + p0_global("posix", "system")
    out["stacked_benign_then_garbage"] = pickle.dumps({"a": 1}, protocol=4) + b"\x00\x01garbage"
    out["stacked_three"] = pickle.dumps(1) + pickle.dumps("x", protocol=0) + pickle.dumps([None], protocol=5)
    out["persid"] = b"Pfoo bar\n."
    out["binpersid"] = b"\x80\x02(X\x07\x00\x00\x00storageq\x00tQ."
    out["build_on_dict"] = b"}}b."
    out["inst_os"] = b"(S'id'\nios\nsystem\n."
    out["obj_eval"] = b"(cbuiltins\neval\nS'1'\no."
    out["newobj_ex"] = b"\x80\x04cbuiltins\nobject\n)}\x92."
    out["setitems_odd"] = b"}(K\x01u."
    out["dict_unhashable"] = b"(]K\x01d."
    out["append_to_tuple"] = b")K\x01a."
    out["get_missing"] = b"g7\n."
    out["next_buffer"] = b"\x80\x05\x97."
    out["long1_negative"] = b"\x80\x02\x8a\x01\xff."
    out["long4_negative_count"] = b"\x80\x02\x8b\xff\xff\xff\xff."
    return out


def mutate(data, rng):
    data = bytearray(data)
    kind = rng.randrange(6)
    if not data:
        return bytes(data)
    at = rng.randrange(len(data))
    if kind == 0:
        data[at] = rng.randrange(256)
    elif kind == 1:
        data.insert(at, rng.choice(b"(.012NIKJMSVcipgqhRb)]}tlsuea\x80\x93\x94\x95\x85\x86\x87\x81\x82"))
    elif kind == 2:
        del data[at]
    elif kind == 3:
        data = data[:at]
    elif kind == 4:
        end = min(len(data), at + rng.randrange(1, 8))
        data[at:at] = data[at:end]
    else:
        data += bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 6)))
    return bytes(data)


def build(directory, seed):
    random.seed(seed)
    rng = random.Random(seed)
    os.makedirs(directory, exist_ok=True)
    seeds = {}

    def write(name, data):
        with open(os.path.join(directory, name), "wb") as handle:
            handle.write(data)

    for label, obj in benign_objects().items():
        for proto in range(6):
            data = pickle.dumps(obj, protocol=proto)
            write(f"benign_{label}_p{proto}.pkl", data)
            seeds[f"benign_{label}_p{proto}"] = data
    for label, obj in sklearn_objects().items():
        for proto in (2, 4, 5):
            data = pickle.dumps(obj, protocol=proto)
            write(f"sklearn_{label}_p{proto}.pkl", data)
            seeds[f"sklearn_{label}_p{proto}"] = data
    for label, func, args in payloads():
        for proto in range(6):
            try:
                data = pickle.dumps(Payload(func, args), protocol=proto)
            except Exception:
                continue
            write(f"malicious_{label}_p{proto}.pkl", data)
            seeds[f"malicious_{label}_p{proto}"] = data
            # Hidden inside a benign container.
            hidden = pickle.dumps({"weights": [1.0, 2.0], "meta": Payload(func, args)}, protocol=proto)
            write(f"malicious_{label}_hidden_p{proto}.pkl", hidden)
    for label, data in odd_spellings().items():
        write(f"odd_{label}.pkl", data)
        seeds[f"odd_{label}"] = data
    names = sorted(seeds)
    for index in range(320):
        base = seeds[names[rng.randrange(len(names))]]
        data = base
        for _ in range(rng.randrange(1, 4)):
            data = mutate(data, rng)
        write(f"mutant_{index:03d}.pkl", data)

    # joblib: benign and malicious, every compressor, plus truncations.
    import joblib
    models = sklearn_objects()
    for label, obj in list(models.items())[:2]:
        for compress in (0, ("zlib", 3), ("gzip", 3), ("bz2", 3), ("xz", 3), ("lzma", 3)):
            suffix = "raw" if compress == 0 else compress[0]
            joblib.dump(obj, os.path.join(directory, f"joblib_{label}_{suffix}.joblib"), compress=compress)
    import numpy as np
    joblib.dump({"a": np.arange(10.0), "o": np.array([{"x": 1}, None], dtype=object)}, os.path.join(directory, "joblib_object_array_raw.joblib"))
    for label, func, args in payloads()[:6]:
      try:
        joblib.dump({"w": np.arange(4.0), "p": Payload(func, args)}, os.path.join(directory, f"joblib_malicious_{label}.joblib"))
        joblib.dump({"w": np.arange(4.0), "o": np.array([Payload(func, args)], dtype=object)},
                    os.path.join(directory, f"joblib_malicious_objarray_{label}.joblib"))
      except Exception:
        continue
    with open(os.path.join(directory, "joblib_logreg_raw.joblib"), "rb") as handle:
        raw = handle.read()
    for index in range(12):
        write(f"joblib_mutant_{index:02d}.joblib", mutate(raw, rng))
    # A joblib file whose array bytes hide a pickle payload after the wrapper (valid for joblib,
    # a payload only for pickle.load) and one with a payload stacked after the STOP.
    write("joblib_stacked_payload.joblib", raw + p0_global("posix", "system"))
    build_formats(os.path.join(directory, "formats"), rng)


def build_formats(directory, rng):
    """Other containers, named expect_safe_* or expect_unsafe_* by construction."""
    import bz2, gzip, lzma, zipfile
    import numpy as np
    os.makedirs(directory, exist_ok=True)

    def path(name):
        return os.path.join(directory, name)

    evil = pickle.dumps(Payload(os.system, ("echo pwned",)), protocol=4)
    np.save(path("expect_safe_floats.npy"), np.random.rand(4, 3))
    np.save(path("expect_safe_object_dicts.npy"), np.array([{"a": 1}, [1, 2]], dtype=object), allow_pickle=True)
    np.save(path("expect_unsafe_object_payload.npy"), np.array([Payload(os.system, ("id",))], dtype=object), allow_pickle=True)
    np.savez(path("expect_safe_arrays.npz"), a=np.arange(5), b=np.ones((2, 2)))
    np.savez_compressed(path("expect_safe_compressed.npz"), a=np.arange(5))
    np.savez(path("expect_unsafe_object_member.npz"), a=np.arange(3), o=np.array([Payload(os.system, ("id",))], dtype=object))
    # A zip whose end record understates the entry count: zipfile (and numpy) still read both.
    with zipfile.ZipFile(path("expect_unsafe_hidden_member.npz"), "w") as archive:
        buffer = io.BytesIO(); np.save(buffer, np.arange(3)); archive.writestr("a.npy", buffer.getvalue())
        buffer = io.BytesIO(); np.save(buffer, np.array([Payload(os.system, ("id",))], dtype=object), allow_pickle=True)
        archive.writestr("b.npy", buffer.getvalue())
    with open(path("expect_unsafe_hidden_member.npz"), "r+b") as handle:
        data = bytearray(handle.read())
        end = data.rfind(b"PK\x05\x06")
        data[end + 8:end + 12] = struct.pack("<HH", 1, 1)
        handle.seek(0); handle.write(data)
    with open(path("expect_safe_arrays.npz"), "rb") as handle:
        npz = handle.read()
    with open(path("expect_unsafe_prefixed.npz"), "wb") as handle:
        handle.write(b"#!/bin/sh\nexit 0\n" + npz)
    with zipfile.ZipFile(path("expect_unsafe_duplicate.zip"), "w") as archive:
        archive.writestr("data.pkl", pickle.dumps([1, 2]))
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            archive.writestr("data.pkl", evil)
    for suffix, opener in ((".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)):
        with open(path(f"expect_unsafe_payload.pkl{suffix}"), "wb") as handle:
            handle.write(opener(evil))
        with open(path(f"expect_safe_list.pkl{suffix}"), "wb") as handle:
            handle.write(opener(pickle.dumps([1.0, 2.0, {"a": None}], protocol=4)))
    # Keras 3 (.keras) zips: config.json parsed as JSON.
    def keras(name, layers):
        config = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": layers}, "registered_name": None}
        with zipfile.ZipFile(path(name), "w") as archive:
            archive.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
            archive.writestr("config.json", json.dumps(config, indent=2))
            archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(32))
    dense = {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2}, "registered_name": None}
    keras("expect_safe_dense.keras", [dense])
    keras("expect_unsafe_lambda.keras", [dense, {"module": "keras.layers", "class_name": "Lambda",
                                                 "config": {"function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAA"}}},
                                                 "registered_name": None}])
    keras("expect_unsafe_custom.keras", [{"module": "mypkg.layers", "class_name": "Custom", "config": {}, "registered_name": "Custom>Custom"}])
    keras("expect_unsafe_lambda_spaced.keras", [{"module": "keras.layers", "class_name" :  "Lambda", "config": {}}])
    with open(path("expect_unsafe_model.h5"), "wb") as handle:
        handle.write(b"\x89HDF\r\n\x1a\n" + bytes(64))
    # safetensors: a valid file, and ones with holes, overlaps, bad dtypes.
    def safetensors(name, header, data):
        text = json.dumps(header).encode()
        with open(path(name), "wb") as handle:
            handle.write(struct.pack("<Q", len(text)) + text + data)
    safetensors("expect_safe_weights.safetensors", {"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
                                                    "__metadata__": {"format": "pt"}}, bytes(16))
    safetensors("expect_unsafe_overlap.safetensors", {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                                      "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12))
    safetensors("expect_unsafe_hole.safetensors", {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, bytes(64))
    safetensors("expect_unsafe_dtype.safetensors", {"a": {"dtype": "PICKLE", "shape": [2], "data_offsets": [0, 8]}}, bytes(8))
    # ONNX: ir_version 8 and an empty graph; and a truncated one.
    with open(path("expect_safe_tiny.onnx"), "wb") as handle:
        handle.write(b"\x08\x08\x3a\x00")
    with open(path("expect_unsafe_truncated.onnx"), "wb") as handle:
        handle.write(b"\x08\x08\x3a\x10ab")
    # A PyTorch-format zip state dict, hand-built (torch itself is not installed): data.pkl
    # rebuilds tensors with torch._utils._rebuild_tensor_v2 from persistent storages.
    import types
    fake_torch, fake_utils = types.ModuleType("torch"), types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):
        return None

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    fake_utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    FloatStorage = type("FloatStorage", (), {"__module__": "torch"})
    fake_torch.FloatStorage = FloatStorage
    fake_torch._utils = fake_utils
    saved = {name: sys.modules.get(name) for name in ("torch", "torch._utils")}
    sys.modules["torch"], sys.modules["torch._utils"] = fake_torch, fake_utils
    try:
        import collections

        class Tensor:
            def __reduce__(self):
                return _rebuild_tensor_v2, (Storage(), 0, (2, 2), (2, 1), False, collections.OrderedDict())

        class Storage:
            pass

        class TorchPickler(pickle.Pickler):
            def persistent_id(self, obj):
                if isinstance(obj, Storage):
                    return ("storage", FloatStorage, "0", "cpu", 4)
                return None

        buffer = io.BytesIO()
        TorchPickler(buffer, protocol=2).dump(collections.OrderedDict([("weight", Tensor())]))
        data_pkl = buffer.getvalue()
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    for name, pickled in (("expect_safe_state_dict.pt", data_pkl), ("expect_unsafe_state_dict.pt", evil)):
        with zipfile.ZipFile(path(name), "w") as archive:
            archive.writestr("archive/data.pkl", pickled)
            archive.writestr("archive/byteorder", "little")
            archive.writestr("archive/data/0", struct.pack("<4f", 1, 2, 3, 4))
            archive.writestr("archive/version", "3\n")
            archive.writestr("archive/.data/serialization_id", "1234")


_MISSING = object()


class Recorder:
    """Intercepts the import inside find_class: records what CPython resolves, returns stand-ins."""

    def __init__(self, passthrough=()):
        self.found = []
        self.passthrough = set(passthrough)

    def resolve(self, base_find_class, module, name):
        recorder = self

        class FakeModule:
            def __init__(self, path):
                self._path = path

            def __getattr__(self, attribute):
                if attribute.startswith("__") and attribute.endswith("__"):
                    raise AttributeError(attribute)
                return make_stub(f"{self._path}.{attribute}")

        real_import = builtins.__import__
        requested = []
        saved = {}

        def fake_import(mod, *args, **kwargs):
            requested.append(mod)
            if mod not in saved:
                saved[mod] = sys.modules.get(mod, _MISSING)
            sys.modules[mod] = FakeModule(mod)
            return sys.modules[mod]

        builtins.__import__ = fake_import
        try:
            result = base_find_class(module, name)
        finally:
            builtins.__import__ = real_import
            for mod, original in saved.items():
                if original is _MISSING:
                    sys.modules.pop(mod, None)
                else:
                    sys.modules[mod] = original
        path = getattr(result, "_stub_path", None)
        mapped_module = requested[0] if requested else module
        full = path if path else f"{mapped_module}.{name}"
        self.found.append(full)
        if full in self.passthrough:
            import importlib
            mod_name, _, attr = full.rpartition(".")
            return getattr(importlib.import_module(mod_name), attr)
        return result


class StubMeta(type):
    def __getattr__(cls, attribute):
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        return make_stub(f"{cls._stub_path}.{attribute}")

    def __call__(cls, *args, **kwargs):
        return Stub.__new__(cls)


class Stub(metaclass=StubMeta):
    _stub_path = "?"

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __setstate__(self, state):
        pass

    def append(self, value):
        pass

    def extend(self, values):
        pass

    def add(self, value):
        pass

    def __setitem__(self, key, value):
        pass

    def __call__(self, *args, **kwargs):
        return Stub.__new__(type(self))


def make_stub(path):
    return StubMeta("Stub", (Stub,), {"_stub_path": path})


def load_all(data, unpickler_class):
    """Every pickle until EOF, as a container would read them; returns (ok, error, globals)."""
    recorder = Recorder()
    stream = io.BytesIO(data)
    try:
        if not data:
            raise EOFError("Ran out of input")
        while stream.tell() < len(data):
            class Recording(unpickler_class):
                def find_class(self, module, name):
                    return recorder.resolve(super().find_class, module, name)

                def persistent_load(self, pid):
                    return Stub.__new__(make_stub("persistent"))

            Recording(stream).load()
        return True, None, recorder.found
    except BaseException as error:  # noqa: BLE001 - any failure means "cannot load completely"
        if isinstance(error, KeyboardInterrupt):
            raise
        return False, f"{type(error).__name__}: {error}"[:200], recorder.found


def load_joblib(path):
    import joblib.numpy_pickle as numpy_pickle
    recorder = Recorder(passthrough={"numpy.dtype", "joblib.numpy_pickle.NumpyArrayWrapper"})

    class Recording(numpy_pickle.NumpyUnpickler):
        def find_class(self, module, name):
            return recorder.resolve(super().find_class, module, name)

    original = numpy_pickle.NumpyUnpickler
    numpy_pickle.NumpyUnpickler = Recording
    try:
        with open(path, "rb") as handle:
            with numpy_pickle._validate_fileobject_and_memmap(handle, path, None) as (fobj, _):
                unpickler = Recording(path, fobj, ensure_native_byte_order=False)
                unpickler.load()
                rest = fobj.read()
        if rest:
            return False, f"{len(rest)} bytes after the pickle", recorder.found
        return True, None, recorder.found
    except BaseException as error:  # noqa: BLE001
        if isinstance(error, KeyboardInterrupt):
            raise
        return False, f"{type(error).__name__}: {error}"[:200], recorder.found
    finally:
        numpy_pickle.NumpyUnpickler = original


def oracle(directory):
    results = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        if name.endswith(".joblib"):
            ok, error, found = load_joblib(path)
        else:
            with open(path, "rb") as handle:
                ok, error, found = load_all(handle.read(), pickle.Unpickler)
        results[name] = {"loaded": ok, "error": error, "globals": found}
    json.dump(results, sys.stdout)


def peers(directory):
    import logging
    logging.disable(logging.CRITICAL)
    results = {}
    names = sorted(n for n in os.listdir(directory) if n.endswith(".pkl"))
    from picklescan.scanner import scan_file_path
    import fickling
    from fickling.analysis import Severity
    for name in names:
        path = os.path.join(directory, name)
        flagged = []
        try:
            if scan_file_path(path).infected_files > 0:
                flagged.append("picklescan")
        except Exception:
            pass
        try:
            if os.path.getsize(path) < 200_000:
                with open(path, "rb") as handle:
                    loaded = fickling.fickle.Pickled.load(handle)
                severity = fickling.analysis.check_safety(loaded).severity
                if severity >= Severity.LIKELY_OVERTLY_MALICIOUS:
                    flagged.append("fickling")
        except Exception:
            pass
        results[name] = flagged
    # modelscan: one run over the directory.
    import subprocess, tempfile
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "out.json")
        modelscan = os.path.join(os.path.dirname(sys.executable), "modelscan")
        subprocess.run([modelscan, "-p", directory, "-r", "json", "-o", report], capture_output=True, timeout=600)
        if os.path.exists(report):
            with open(report) as handle:
                data = json.load(handle)
            for issue in data.get("issues", []):
                source = os.path.basename(str(issue.get("source", "")).split(":")[0])
                if source in results and "modelscan" not in results[source]:
                    results[source].append("modelscan")
    return results


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "build":
        build(sys.argv[2], int(sys.argv[3]))
    elif command == "oracle":
        oracle(sys.argv[2])
    elif command == "peers":
        # fickling prints warnings on stdout: keep stdout for the JSON.
        real_stdout, sys.stdout = sys.stdout, sys.stderr
        try:
            found = peers(sys.argv[2])
        finally:
            sys.stdout = real_stdout
        json.dump(found, sys.stdout)
