#!/usr/bin/env python3
"""Builds Keras legacy `.h5` files with h5py and judges them from what h5py reads back, for the
MLCIModelScan HDF5 oracle test.

    h5-corpus.py build DIR SEED    write the corpus (h5py, exactly as Keras's legacy_h5_format
                                   writes: root attrs model_config / training_config as JSON,
                                   keras_version, backend; a model_weights group with layer
                                   groups, weight_names and datasets) and its corruptions
    h5-corpus.py seeds DIR         a few small files for the HDF5 fuzz harness's seed corpus
    h5-corpus.py oracle DIR        read every file back with h5py and print JSON:
                                   {file: {"readable": bool, "error": str, "kind": "model" |
                                   "weights" | "other", "flagged": [names]}}

The expected judgement comes only from what h5py reads: json.loads of model_config and
training_config, walked for Lambda layers and objects Keras does not define. Nothing is executed:
a Lambda's function is marshalled bytecode (as Keras stores it), never unmarshalled.
"""
import base64
import json
import marshal
import os
import random
import sys

import h5py
import numpy as np

CODE_LAYERS = {"Lambda", "TFOpLambda", "SlicingOpLambda"}
# Keras's own classes the generator uses (a subset of what Keras defines).
BENIGN_LAYERS = ["Dense", "Dropout", "Conv2D", "Flatten", "BatchNormalization", "ReLU", "LSTM", "GRU",
                 "Embedding", "MaxPooling2D", "GlobalAveragePooling2D", "LayerNormalization", "Activation",
                 "Reshape", "SimpleRNN", "Conv1D", "UpSampling2D", "ZeroPadding2D", "LeakyReLU", "Softmax"]
KERAS_OBJECTS = {"Sequential", "Functional", "Model", "InputLayer", "GlorotUniform", "Zeros", "Ones", "HeNormal",
                 "L2", "Adam", "SGD", "RMSprop", "MeanSquaredError", "CategoricalCrossentropy",
                 "SparseCategoricalCrossentropy", "MeanMetricWrapper", "CategoricalAccuracy", "AUC",
                 "ExponentialDecay", "__tuple__"}
BUILTIN = set(BENIGN_LAYERS) | KERAS_OBJECTS


def judge(value, found):
    """The Lambda layers and non-Keras objects in a parsed config, named as mlci names them."""
    if isinstance(value, dict):
        if "class_name" in value:
            name = value["class_name"] if isinstance(value["class_name"], str) else "?"
            if name in CODE_LAYERS:
                found.add("keras.layers." + name)
            elif "module" in value:
                module = value["module"] if isinstance(value["module"], str) else ""
                registered = value.get("registered_name")
                if not (module == "keras" or module.startswith("keras.")):
                    found.add(module + "." + name)
                elif isinstance(registered, str) and registered != name and ">" in registered:
                    found.add(registered)
            elif name not in BUILTIN:
                found.add(name)
        for member in value.values():
            judge(member, found)
    elif isinstance(value, list):
        for item in value:
            judge(item, found)


def keras_object(rng, keras3, module, name, config):
    if keras3:
        return {"module": module, "class_name": name, "config": config, "registered_name": None}
    return {"class_name": name, "config": config}


def lambda_function():
    # Keras stores a Lambda's function as base64 of marshal.dumps(code): bytecode, not source.
    code = (lambda x: x * 2 + 1).__code__
    return [base64.b64encode(marshal.dumps(code)).decode("ascii"), None, None]


def layer(rng, keras3, index, kind):
    name = f"layer_{index}"
    if kind == "lambda":
        cls = rng.choice(sorted(CODE_LAYERS)) if rng.random() < 0.2 else "Lambda"
        return keras_object(rng, keras3, "keras.layers", cls, {"name": name, "trainable": True, "dtype": "float32",
                                                                "function": lambda_function(), "function_type": "lambda",
                                                                "module": "__main__", "output_shape": None, "arguments": {}})
    if kind == "custom_module":
        module = rng.choice(["my_project.layers", "custom_ops", "__main__", "os"])
        return {"module": module, "class_name": rng.choice(["Attention2", "MyBlock", "system"]), "config": {"name": name},
                "registered_name": rng.choice([None, "MyBlock"])}
    if kind == "custom_name":
        return keras_object(rng, False, "", rng.choice(["MyCustomLayer", "ResidualBlock", "PositionalEncoding"]), {"name": name})
    if kind == "registered":
        return {"module": "keras.layers", "class_name": "Dense", "config": {"name": name}, "registered_name": "MyPackage>Dense2"}
    cls = rng.choice(BENIGN_LAYERS)
    config = {"name": name, "trainable": True, "dtype": "float32"}
    if cls in ("Dense", "Conv2D", "Conv1D"):
        config.update({"units": rng.randint(1, 512), "activation": rng.choice(["relu", "linear", "softmax"]), "use_bias": True,
                       "kernel_initializer": keras_object(rng, keras3, "keras.initializers", "GlorotUniform", {"seed": None}),
                       "bias_initializer": keras_object(rng, keras3, "keras.initializers", "Zeros", {}),
                       "kernel_regularizer": keras_object(rng, keras3, "keras.regularizers", "L2", {"l2": 0.01}) if rng.random() < 0.3 else None})
        if kind == "custom_nested":
            config["kernel_initializer"] = keras_object(rng, False, "", "MyInitializer", {"seed": 3})
    return keras_object(rng, keras3, "keras.layers", cls, config)


def model_config(rng, keras3, kinds, layers):
    items = [layer(rng, keras3, i, kinds[i] if i < len(kinds) else "benign") for i in range(layers)]
    rng.shuffle(items)
    if rng.random() < 0.5:
        return keras_object(rng, keras3, "keras", "Sequential", {"name": "sequential", "layers": items}), items
    inputs = keras_object(rng, keras3, "keras.layers", "InputLayer", {"batch_input_shape": [None, 8], "name": "input_1"})
    for i, item in enumerate(items):
        item["name"] = item["config"].get("name", f"layer_{i}")
        item["inbound_nodes"] = [[[items[i - 1]["name"] if i else "input_1", 0, 0, {}]]]
    return keras_object(rng, keras3, "keras", "Functional", {"name": "model", "layers": [inputs] + items,
                                                             "input_layers": [["input_1", 0, 0]],
                                                             "output_layers": [[items[-1]["name"], 0, 0]]}), items


def training_config(rng, keras3, custom):
    loss = rng.choice(["mse", "categorical_crossentropy",
                       keras_object(rng, keras3, "keras.losses", "CategoricalCrossentropy", {"from_logits": False})])
    if custom:
        loss = keras_object(rng, False, "", "FocalLossCustom", {"gamma": 2.0}) if rng.random() < 0.5 else \
            {"module": "my_losses", "class_name": "Focal", "config": {}, "registered_name": "Focal"}
    return {"loss": loss,
            "metrics": [[keras_object(rng, keras3, "keras.metrics", "MeanMetricWrapper", {"name": "accuracy", "fn": "categorical_accuracy"})]],
            "weighted_metrics": None, "loss_weights": None,
            "optimizer_config": keras_object(rng, keras3, "keras.optimizers", rng.choice(["Adam", "SGD", "RMSprop"]),
                                             {"learning_rate": 0.001, "name": "opt"})}


def as_attribute(rng, text, fixed):
    """The JSON as Keras writes it (bytes: a fixed-length string) or as a str (variable-length UTF-8)."""
    if fixed:
        return rng.choice([text.encode("utf8"), np.bytes_(text.encode("utf8"))])
    return text


def write(path, rng, spec):
    kwargs = {}
    if spec["libver"]:
        kwargs["libver"] = "latest"
    if spec["userblock"]:
        kwargs["userblock_size"] = spec["userblock"]
    if spec["track_order"]:
        kwargs["track_order"] = True
    with h5py.File(path, "w", **kwargs) as f:
        for key, value in spec["attrs"]:
            f.attrs[key] = value
        weights = f.create_group("model_weights")
        names = [f"layer_{i}" for i in range(spec["layers"])]
        weights.attrs["layer_names"] = np.array([n.encode("utf8") for n in names])
        weights.attrs["backend"] = "tensorflow"
        weights.attrs["keras_version"] = "2.15.0"
        for name in names[:8]:
            group = weights.create_group(name)
            group.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode()])
            group.create_dataset(f"{name}/kernel:0", data=np.asarray(rng.random(), dtype=np.float32) * np.ones((2, 3), dtype=np.float32))


def build(directory, seed):
    rng = random.Random(seed)
    os.makedirs(directory, exist_ok=True)
    built = []
    for index in range(130):
        keras3 = rng.random() < 0.5
        roll = rng.random()
        kinds = []
        if roll < 0.35:
            pass  # benign
        elif roll < 0.55:
            kinds = ["lambda"]
        elif roll < 0.65:
            kinds = ["custom_module"]
        elif roll < 0.75:
            kinds = ["custom_name"]
        elif roll < 0.8:
            kinds = ["registered"]
        elif roll < 0.85:
            kinds = ["benign"] * rng.randint(0, 2) + ["custom_nested"]
        else:
            kinds = rng.sample(["lambda", "custom_module", "custom_name", "benign"], 2)
        big = rng.random() < 0.08
        layers = rng.randint(350, 450) if big else rng.randint(max(1, len(kinds)), 12)
        config, _ = model_config(rng, keras3, kinds, layers)
        libver = rng.random() < 0.5
        fixed = rng.random() < 0.5
        if big and fixed and not libver:
            libver = True  # a fixed-length attribute over 64 KiB fits only in dense storage
        attrs = [("backend", "tensorflow"), ("keras_version", "2.15.0" if not keras3 else "3.6.0")]
        weights_only = rng.random() < 0.07
        if not weights_only:
            attrs.append(("model_config", as_attribute(rng, json.dumps(config), fixed)))
            if rng.random() < 0.6:
                attrs.append(("training_config", as_attribute(rng, json.dumps(training_config(rng, keras3, rng.random() < 0.15)), rng.random() < 0.5)))
        else:
            attrs.append(("layer_names", np.array([f"layer_{i}".encode() for i in range(layers)])))
        if rng.random() < 0.3:
            # Many attributes: past 8 with libver='latest', libhdf5 moves them to dense storage.
            for extra in range(rng.randint(9, 70)):
                attrs.append((f"note_{extra:03d}", rng.choice([f"value {extra}", np.int64(extra), np.bytes_(b"x" * rng.randint(1, 40)), np.arange(3.0)])))
        rng.shuffle(attrs)
        spec = {"attrs": attrs, "layers": min(layers, 20), "libver": libver,
                "userblock": rng.choice([0, 0, 0, 512, 1024, 4096]), "track_order": rng.random() < 0.3}
        name = f"h5_{index:03d}.h5"
        write(os.path.join(directory, name), rng, spec)
        built.append(name)
    # A plain HDF5 file that is not Keras (no model_config, no layer_names).
    with h5py.File(os.path.join(directory, "other_000.h5"), "w") as f:
        f.create_dataset("table", data=np.arange(10))
        f.attrs["title"] = "not a model"
    crafted(directory, rng)
    # Corruptions of the files above: truncations at random offsets, flipped bytes.
    for index in range(80):
        source = rng.choice(built)
        data = bytearray(open(os.path.join(directory, source), "rb").read())
        if index % 2 == 0:
            cut = rng.randrange(0, len(data))
            data = data[:cut]
        else:
            # Flips in the metadata after the superblock (the user block is not HDF5's).
            start = next(at for at in (0, 512, 1024, 2048, 4096, 8192) if data[at:at + 8] == b"\x89HDF\r\n\x1a\n")
            for _ in range(rng.randint(1, 4)):
                at = start + rng.randrange(0, min(len(data) - start, 3000))
                data[at] ^= 1 << rng.randrange(8)
        with open(os.path.join(directory, f"corrupt_{index:03d}_{source}"), "wb") as handle:
            handle.write(bytes(data))


def minimal_v0(messages_chunk0, chunks):
    """A hand-built HDF5 file: superblock v0, a v1 root object header whose first chunk holds
    messages_chunk0 and further raw chunks at the given offsets (continuation targets)."""
    import struct
    def message(kind, body):
        body += b"\0" * (-len(body) % 8)
        return struct.pack("<HHB3x", kind, len(body), 0) + body
    first = b"".join(message(k, b) for k, b in messages_chunk0)
    count = len(messages_chunk0) + sum(len(c[1]) for c in chunks)
    header = struct.pack("<BBHII4x", 1, 0, count, 1, len(first)) + first
    size = 96 + len(header) + sum(len(b"".join(message(k, b) for k, b in c[1])) for c in chunks) + 64
    superblock = b"\x89HDF\r\n\x1a\n" + bytes([0, 0, 0, 0, 0, 8, 8, 0]) + struct.pack("<HHI", 4, 16, 0)
    superblock += struct.pack("<QQQQ", 0, 2**64 - 1, size, 2**64 - 1)
    superblock += struct.pack("<QQII16x", 0, 96, 0, 0)
    data = bytearray(superblock + header)
    for at, items in chunks:
        data += b"\0" * (at - len(data))
        data += b"".join(message(k, b) for k, b in items)
    data += b"\0" * (size - len(data))
    return bytes(data)


def crafted(directory, rng):
    """Files a reader must refuse or judge with care, named crafted_<expectation>_<what>.h5."""
    import io, pickle, struct, zipfile
    def path(name):
        return os.path.join(directory, name)
    lam = json.dumps({"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": {"function": lambda_function()}}]}})
    benign = json.dumps({"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {}}]}})
    # A continuation chain that loops back on itself.
    loop = struct.pack("<QQ", 200, 24)
    open(path("crafted_unsafe_loop.h5"), "wb").write(minimal_v0([(0x10, loop)], [(200, [(0x10, loop)])]))
    # A superblock of a version no library writes.
    with h5py.File(path("crafted_unsafe_version.h5"), "w") as f:
        f.attrs["model_config"] = benign
    data = bytearray(open(path("crafted_unsafe_version.h5"), "rb").read()); data[8] = 7
    open(path("crafted_unsafe_version.h5"), "wb").write(bytes(data))
    # A v2 superblock whose checksum no longer matches (one bit of the root address flipped).
    with h5py.File(path("crafted_unsafe_checksum.h5"), "w", libver="latest") as f:
        f.attrs["model_config"] = benign
    data = bytearray(open(path("crafted_unsafe_checksum.h5"), "rb").read()); data[12] ^= 0x10
    open(path("crafted_unsafe_checksum.h5"), "wb").write(bytes(data))
    # Superblock v0 fields libhdf5 checks: status flags beyond the three that exist, and a
    # symbol table leaf K of 0 (both refused by h5py; the flags were once read as safe).
    with h5py.File(path("crafted_unsafe_statusflags.h5"), "w") as f:
        f.attrs["model_config"] = benign
    data = bytearray(open(path("crafted_unsafe_statusflags.h5"), "rb").read()); data[20:24] = struct.pack("<I", 1 << rng.randrange(3, 32))
    open(path("crafted_unsafe_statusflags.h5"), "wb").write(bytes(data))
    with h5py.File(path("crafted_unsafe_leafk.h5"), "w") as f:
        f.attrs["model_config"] = benign
    data = bytearray(open(path("crafted_unsafe_leafk.h5"), "rb").read()); data[16:18] = b"\0\0"
    open(path("crafted_unsafe_leafk.h5"), "wb").write(bytes(data))
    # A root float attribute whose exponent bias no numpy float can hold (h5py refuses to read it).
    with h5py.File(path("crafted_unsafe_floatbias.h5"), "w") as f:
        f.attrs["model_config"] = benign
        f.attrs["note"] = np.float64(1.5)
    double = struct.pack("<BBBBIHHBBBBI", 0x11, 0x20, 0x3F, 0x00, 8, 0, 64, 52, 11, 0, 52, 1023)
    data = open(path("crafted_unsafe_floatbias.h5"), "rb").read()
    assert data.count(double) == 1, "the float64 datatype message was not found once"
    # h5py's TypeFloatID.py_dtype wants 1 - bias >= minexp of some numpy float: x86's long double
    # (minexp -16382) holds any bias up to 16383, so only a bias of 16384 or more is refused.
    odd = double[:-4] + struct.pack("<I", 16384 + rng.randrange(0, 1 << 20))
    open(path("crafted_unsafe_floatbias.h5"), "wb").write(data.replace(double, odd))
    # The same datatype with a bias only the long double holds: h5py reads it, so it is safe.
    open(path("crafted_safe_longbias.h5"), "wb").write(
        data.replace(double, double[:-4] + struct.pack("<I", rng.randrange(1024, 16384))))
    # A pickle in the user block (torch.load would run it), HDF5 after it.
    with h5py.File(path("crafted_unsafe_userblock.h5"), "w", userblock_size=512) as f:
        f.attrs["model_config"] = benign
    data = bytearray(open(path("crafted_unsafe_userblock.h5"), "rb").read())
    payload = b"cos\nsystem\n(S'id'\ntR."
    data[:len(payload)] = payload
    open(path("crafted_unsafe_userblock.h5"), "wb").write(bytes(data))
    # Two attributes named model_config (the second one renamed in place).
    with h5py.File(path("crafted_unsafe_duplicate.h5"), "w") as f:
        f.attrs["model_config"] = benign
        f.attrs["model_confiX"] = lam
    data = open(path("crafted_unsafe_duplicate.h5"), "rb").read().replace(b"model_confiX", b"model_config")
    open(path("crafted_unsafe_duplicate.h5"), "wb").write(data)
    # model_config that is not a string.
    with h5py.File(path("crafted_unsafe_notstring.h5"), "w") as f:
        f.attrs["model_config"] = np.arange(4)
    # A zip appended after the HDF5 data, holding a malicious pickle.
    with h5py.File(path("crafted_unsafe_zip.h5"), "w") as f:
        f.attrs["model_config"] = benign
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.")
    open(path("crafted_unsafe_zip.h5"), "ab").write(buffer.getvalue())
    # Keras 3 weights (.weights.h5): no root attributes Keras loads code from.
    with h5py.File(path("crafted_safe_model.weights.h5"), "w") as f:
        f.create_group("layers").create_group("dense").create_group("vars").create_dataset("0", data=np.ones((2, 2)))
    # A compact root attribute left by h5py's low-level API as a fixed-length NUL-terminated string.
    with h5py.File(path("crafted_safe_nullterm.h5"), "w") as f:
        tid = h5py.h5t.C_S1.copy(); tid.set_size(len(benign) + 5); tid.set_strpad(h5py.h5t.STR_NULLTERM)
        space = h5py.h5s.create(h5py.h5s.SCALAR)
        attr = h5py.h5a.create(f.id, b"model_config", tid, space)
        attr.write(np.array(benign.encode(), dtype=f"S{len(benign) + 5}"))


def seeds(directory):
    os.makedirs(directory, exist_ok=True)
    config = json.dumps({"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {}}]}})
    variants = [("v0_fixed", {}, config.encode()), ("v3_vlen", {"libver": "latest"}, config),
                ("userblock", {"userblock_size": 512}, config), ("ordered", {"track_order": True}, config)]
    for name, kwargs, value in variants:
        with h5py.File(os.path.join(directory, name), "w", **kwargs) as f:
            f.attrs["model_config"] = value
            f.attrs["keras_version"] = "2.15.0"
    with h5py.File(os.path.join(directory, "dense"), "w", libver="latest") as f:
        for i in range(12):
            f.attrs[f"a{i}"] = i
        f.attrs["model_config"] = config.encode()


def read(path):
    """What Keras's loader would see: the root attributes through h5py."""
    with h5py.File(path, "r") as f:
        attrs = {key: f.attrs[key] for key in f.attrs.keys()}
        layer_names = "layer_names" in attrs or "layer_names0" in attrs
    flagged = set()
    kind = "other"
    if "model_config" in attrs:
        kind = "model"
    elif layer_names or path.endswith(".weights.h5"):
        kind = "weights"
    for key in ("model_config", "training_config"):
        if key in attrs:
            value = attrs[key]
            if hasattr(value, "decode"):
                value = value.decode("utf8")
            judge(json.loads(value), flagged)
    return kind, sorted(flagged)


def read_many(directory, names):
    """The worker: one JSON line per file, flushed, so the parent can time each one."""
    for name in names:
        try:
            kind, flagged = read(os.path.join(directory, name))
            entry = {"name": name, "readable": True, "error": None, "kind": kind, "flagged": flagged}
        except Exception as error:  # noqa: BLE001 — any failure to read is "unreadable"
            entry = {"name": name, "readable": False, "error": f"{type(error).__name__}: {error}"[:300], "kind": None, "flagged": []}
        sys.stdout.write(json.dumps(entry) + "\n")
        sys.stdout.flush()


def oracle(directory):
    """Reads every file through a worker process; a file libhdf5 does not finish reading in
    20 s (some corruptions make it loop) or that crashes it is unreadable, and the worker
    restarts after it."""
    import selectors
    import subprocess
    pending = sorted(os.listdir(directory))
    results = {}
    while pending:
        worker = subprocess.Popen([sys.executable, __file__, "read-many", directory] + pending, stdout=subprocess.PIPE)
        selector = selectors.DefaultSelector()
        selector.register(worker.stdout, selectors.EVENT_READ)
        while pending:
            if not selector.select(timeout=20):
                worker.kill()
                stuck = pending.pop(0)
                results[stuck] = {"readable": False, "error": "h5py did not finish reading it in 20 s (libhdf5 loops)", "kind": None, "flagged": []}
                break
            line = worker.stdout.readline()
            if not line:
                # libhdf5 crashed the worker (it aborts or faults on some corruptions).
                worker.wait()
                stuck = pending.pop(0)
                results[stuck] = {"readable": False, "error": f"h5py crashed reading it (exit {worker.returncode})", "kind": None, "flagged": []}
                break
            entry = json.loads(line)
            results[entry.pop("name")] = entry
            pending.pop(0)
        worker.wait()
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "seeds":
        seeds(sys.argv[2])
    elif sys.argv[1] == "oracle":
        oracle(sys.argv[2])
    elif sys.argv[1] == "read-many":
        read_many(sys.argv[2], sys.argv[3:])
