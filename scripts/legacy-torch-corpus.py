#!/usr/bin/env python3
"""Writes legacy (non-zip) PyTorch files laid out exactly as torch.serialization._legacy_save
writes them -- five pickles (magic number, protocol 1001, system info, the object with storages as
persistent IDs, the sorted storage keys), then each storage as an int64 element count and its raw
bytes -- for the MLCIModelScan legacy-torch test, without torch: a stand-in `torch` module gives
the pickled globals their real names (torch.FloatStorage, torch._utils._rebuild_tensor_v2), and
nothing is ever unpickled.

    legacy-torch-corpus.py DIR SEED   expect_safe_*.pt (state dicts of 0-130 storages of mixed
                                      dtypes, shared storages) and expect_unsafe_*.pt (trailing
                                      bytes, a stacked pickle, a wrong key list, a wrong element
                                      count, a truncation)
"""
import collections, io, pickle, random, struct, sys, types

d, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
torch = types.ModuleType("torch"); sys.modules["torch"] = torch
utils = types.ModuleType("torch._utils"); sys.modules["torch._utils"] = utils; torch._utils = utils
SIZES = {"FloatStorage": 4, "DoubleStorage": 8, "HalfStorage": 2, "LongStorage": 8, "IntStorage": 4, "BoolStorage": 1, "ByteStorage": 1, "BFloat16Storage": 2}
for name in SIZES:
    cls = type(name, (), {}); cls.__module__ = "torch"; cls.__qualname__ = name; setattr(torch, name, cls)
def _rebuild_tensor_v2(*args): raise RuntimeError("never called")
_rebuild_tensor_v2.__module__ = "torch._utils"; utils._rebuild_tensor_v2 = _rebuild_tensor_v2
class Storage:
    def __init__(self, key, kind, numel):
        self.key, self.kind, self.numel = key, kind, numel
        self.data = bytes(rng.getrandbits(8) for _ in range(numel * SIZES[kind]))
class Tensor:
    def __init__(self, storage, offset, shape):
        self.storage, self.offset, self.shape = storage, offset, shape
    def __reduce__(self):
        stride = tuple(int(x) for x in [1] * len(self.shape))
        return (_rebuild_tensor_v2, (self.storage, self.offset, self.shape, stride, False, collections.OrderedDict()))
def legacy_save(obj, storages, path, tail=b"", keys_override=None, numel_override=None):
    """torch.serialization._legacy_save's layout."""
    f = io.BytesIO()
    pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=2)
    pickle.dump(1001, f, protocol=2)
    pickle.dump({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}, f, protocol=2)
    pickler = pickle.Pickler(f, protocol=2)
    pickler.persistent_id = lambda o: ("storage", getattr(torch, o.kind), o.key, "cpu", o.numel, None) if isinstance(o, Storage) else None
    pickler.dump(obj)
    keys = sorted(storages)
    pickle.dump(keys_override if keys_override is not None else keys, f, protocol=2)
    for key in keys:
        s = storages[key]
        f.write(struct.pack("<q", numel_override if numel_override is not None else s.numel))
        f.write(s.data)
    open(path, "wb").write(f.getvalue() + tail)
def state_dict(count):
    storages, sd = {}, collections.OrderedDict()
    for i in range(count):
        key = str(rng.randrange(10**6)) if rng.random() < 0.5 else str(i)
        if key in storages: continue
        s = Storage(key, rng.choice(sorted(SIZES)), rng.randint(0, 40))
        storages[key] = s
        sd[f"layer{i}.weight"] = Tensor(s, 0, (s.numel,))
        if rng.random() < 0.2 and s.numel:
            sd[f"layer{i}.view"] = Tensor(s, 1 if s.numel > 1 else 0, (max(0, s.numel - 1),))
    return sd, storages
for n in range(8):
    sd, st = state_dict(rng.choice([0, 1, 3, 20, 70, 130]))
    legacy_save(sd, st, f"{d}/expect_safe_legacy_{n}.pt")
sd, st = state_dict(5)
legacy_save(sd, st, f"{d}/expect_unsafe_trailing.pt", tail=b"\x00" * 3)
legacy_save(sd, st, f"{d}/expect_unsafe_stacked.pt", tail=pickle.dumps([1], protocol=2))
legacy_save(sd, st, f"{d}/expect_unsafe_keys.pt", keys_override=sorted(st)[:-1])
legacy_save(sd, st, f"{d}/expect_unsafe_numel.pt", numel_override=10**6)
data = open(f"{d}/expect_safe_legacy_1.pt", "rb").read()
open(f"{d}/expect_unsafe_truncated.pt", "wb").write(data[:-1] if len(data) else data)
