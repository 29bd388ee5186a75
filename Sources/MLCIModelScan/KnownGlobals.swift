/// The exact dotted names of the globals ML libraries' pickles import to rebuild arrays,
/// tensors and estimators: each listed in full, never a module prefix. The scikit-learn classes
/// are generated (`KnownGlobals+sklearn.swift`, scripts/gen-known-globals.py).
enum KnownGlobals {
    static var all: Set<String> { core.union(scikitLearn) }

    static let core: Set<String> = [
        // Python value types
        "builtins.bool", "builtins.int", "builtins.float", "builtins.complex", "builtins.str", "builtins.bytes",
        "builtins.bytearray", "builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset", "builtins.dict",
        "builtins.object", "builtins.slice",
        "collections.OrderedDict", "collections.defaultdict", "collections.Counter", "collections.deque",
        "copyreg._reconstructor", "copyreg.__newobj__", "_codecs.encode",
        "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
        "decimal.Decimal", "fractions.Fraction",
        // numpy (1.x and 2.x module paths)
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
        "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
        "numpy.ndarray", "numpy.dtype", "numpy.ma.core._mareconstruct", "numpy.ma.core.MaskedArray",
        "numpy.random._pickle.__randomstate_ctor", "numpy.random._pickle.__bit_generator_ctor",
        "numpy.random._pickle.__generator_ctor", "numpy.random.__RandomState_ctor",
        "numpy.random.mtrand.RandomState", "numpy.random._generator.Generator",
        "numpy.random._mt19937.MT19937", "numpy.random._pcg64.PCG64", "numpy.random._pcg64.PCG64DXSM",
        "numpy.random._philox.Philox", "numpy.random._sfc64.SFC64", "numpy.random.bit_generator.SeedSequence",
        "numpy.int8", "numpy.int16", "numpy.int32", "numpy.int64", "numpy.uint8", "numpy.uint16", "numpy.uint32",
        "numpy.uint64", "numpy.float16", "numpy.float32", "numpy.float64", "numpy.bool_", "numpy.complex64",
        "numpy.complex128", "numpy.str_", "numpy.bytes_",
        // joblib's inline arrays
        "joblib.numpy_pickle.NumpyArrayWrapper",
        // scipy.sparse matrices and arrays
        "scipy.sparse._csr.csr_matrix", "scipy.sparse._csc.csc_matrix", "scipy.sparse._coo.coo_matrix",
        "scipy.sparse._bsr.bsr_matrix", "scipy.sparse._dia.dia_matrix", "scipy.sparse._dok.dok_matrix",
        "scipy.sparse._lil.lil_matrix", "scipy.sparse._csr.csr_array", "scipy.sparse._csc.csc_array",
        "scipy.sparse._coo.coo_array", "scipy.sparse._bsr.bsr_array", "scipy.sparse._dia.dia_array",
        "scipy.sparse._dok.dok_array", "scipy.sparse._lil.lil_array",
        "scipy.sparse.csr.csr_matrix", "scipy.sparse.csc.csc_matrix", "scipy.sparse.coo.coo_matrix",
        // PyTorch (zip and legacy formats)
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_qtensor", "torch._utils._rebuild_meta_tensor_no_storage",
        "torch._tensor._rebuild_from_type_v2", "torch.device", "torch.Size", "torch.nn.parameter.Parameter",
        "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.LongStorage",
        "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage", "torch.BoolStorage",
        "torch.ComplexFloatStorage", "torch.ComplexDoubleStorage", "torch.UntypedStorage", "torch.storage.UntypedStorage",
        "torch.float32", "torch.float64", "torch.float16", "torch.bfloat16", "torch.int64", "torch.int32", "torch.int16",
        "torch.int8", "torch.uint8", "torch.bool", "torch.complex64", "torch.complex128", "torch.strided",
        // xgboost, LightGBM, CatBoost scikit-learn wrappers and boosters
        "xgboost.core.Booster", "xgboost.sklearn.XGBModel", "xgboost.sklearn.XGBClassifier", "xgboost.sklearn.XGBRegressor",
        "xgboost.sklearn.XGBRanker", "xgboost.sklearn.XGBRFClassifier", "xgboost.sklearn.XGBRFRegressor",
        "lightgbm.basic.Booster", "lightgbm.sklearn.LGBMModel", "lightgbm.sklearn.LGBMClassifier",
        "lightgbm.sklearn.LGBMRegressor", "lightgbm.sklearn.LGBMRanker",
        "catboost.core.CatBoost", "catboost.core.CatBoostClassifier", "catboost.core.CatBoostRegressor",
    ]
}
