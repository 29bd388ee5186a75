/// Decides whether a global a model file imports is unsafe, known-safe, or unknown.
///
/// The denylist is at least modelscan's CRITICAL and HIGH lists and fickling's
/// `UNSAFE_IMPORTS` and ML-specific imports together, matched by module or any dotted prefix
/// (never by substring). Builtins are allowed only when they are plain constructors or pure
/// functions. The allowlist holds the globals ML libraries use to rebuild arrays, tensors and
/// estimators. Exact entries win over prefixes; denials win over allowances at the same level.
/// A value type: `Sendable`.
public struct GlobalPolicy: Sendable {
    public enum Verdict: String, Sendable { case unsafe, allowed, unknown }

    public var deniedModules: Set<String>
    public var deniedExact: Set<String>
    public var allowedModules: Set<String>
    public var allowedExact: Set<String>

    public static let standard = GlobalPolicy(
        deniedModules: [
            // modelscan CRITICAL ("*") and HIGH
            "runpy", "os", "nt", "posix", "socket", "subprocess", "sys", "pty", "pickle", "_pickle", "bdb", "pdb",
            "shutil", "asyncio", "webbrowser", "httplib", "requests", "aiohttp",
            // fickling UNSAFE_IMPORTS
            "commands", "multiprocessing", "_posixsubprocess", "code", "codeop", "marshal", "types", "doctest",
            "importlib", "_frozen_importlib", "_frozen_importlib_external", "_imp", "pkgutil", "zipimport", "gc", "site",
            "unittest", "inspect", "test", "_operator", "operator", "functools", "cProfile", "profile", "timeit", "trace",
            "ssl", "http", "urllib", "urllib2", "smtplib", "imaplib", "ftplib", "poplib", "telnetlib", "nntplib",
            "socketserver", "xmlrpc", "select", "selectors", "ctypes", "_ctypes", "dill", "cloudpickle", "joblib",
            "tempfile", "filecmp", "distutils", "fileinput", "glob", "platform", "linecache", "difflib", "mmap", "tarfile",
            "zipfile", "shelve", "sqlite3", "_sqlite3", "compileall", "py_compile", "logging", "syslog", "pydoc",
            "pexpect", "venv", "ensurepip", "pip", "idlelib", "lib2to3", "signal", "_signal", "threading", "_thread",
            "atexit", "uuid", "_osx_support", "_aix_support", "posixpath", "ntpath",
            // ML-specific code paths (fickling UnsafeImportsML)
            "torch.hub", "torch._dynamo", "torch._inductor", "torch.jit", "torch.compile", "torch.load",
            "torch.storage._load_from_bytes", "numpy.f2py", "numpy.distutils", "numpy.testing",
        ],
        deniedExact: [
            "builtins.eval", "builtins.exec", "builtins.compile", "builtins.getattr", "builtins.setattr", "builtins.delattr",
            "builtins.open", "builtins.breakpoint", "builtins.__import__", "builtins.apply", "builtins.globals",
            "builtins.locals", "builtins.vars", "builtins.input", "builtins.exit", "builtins.quit", "builtins.help",
            "builtins.memoryview", "builtins.classmethod", "builtins.staticmethod", "builtins.property", "builtins.super",
            "operator.attrgetter", "operator.methodcaller", "operator.itemgetter",
            "numpy.testing._private.utils.runstring", "io.FileIO", "io.open", "_io.FileIO", "_io.open",
        ],
        allowedModules: ["sklearn", "scipy.sparse", "xgboost.core", "lightgbm.basic", "catboost.core"],
        allowedExact: [
            "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
            "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
            "numpy.ndarray", "numpy.dtype", "numpy.random._pickle.__randomstate_ctor", "numpy.random._pickle.__bit_generator_ctor",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state", "torch.device", "torch.Size",
            "collections.OrderedDict", "collections.defaultdict", "collections.Counter", "collections.deque",
            "joblib.numpy_pickle.NumpyArrayWrapper", "_codecs.encode",
            "copyreg._reconstructor", "copy_reg._reconstructor", "datetime.datetime", "datetime.date", "datetime.timedelta",
            "decimal.Decimal", "fractions.Fraction", "pathlib.PosixPath", "re._compile",
        ]
    )

    /// Builtins that only build values or compute.
    static let safeBuiltins: Set<String> = [
        "bool", "int", "float", "complex", "str", "bytes", "bytearray", "list", "tuple", "set", "frozenset", "dict",
        "object", "slice", "range", "len", "abs", "sum", "min", "max", "round", "pow", "divmod", "sorted", "reversed",
        "enumerate", "zip", "map", "filter", "iter", "next", "all", "any", "hash", "id", "repr", "ascii", "bin", "hex",
        "oct", "ord", "chr", "isinstance", "issubclass", "callable", "format", "Ellipsis", "NotImplemented",
    ]

    /// Adds the `deny` and `allow` entries of `gate.model` (exact names or module prefixes).
    public func adding(deny: [String], allow: [String]) -> GlobalPolicy {
        var copy = self
        for entry in deny { copy.deniedModules.insert(entry); copy.deniedExact.insert(entry) }
        for entry in allow { copy.allowedModules.insert(entry); copy.allowedExact.insert(entry) }
        return copy
    }

    public func verdict(module rawModule: String, name: String) -> Verdict {
        let module = rawModule == "__builtin__" ? "builtins" : rawModule
        let full = "\(module).\(name)"
        if module == "builtins" {
            if deniedExact.contains(full) { return .unsafe }
            return Self.safeBuiltins.contains(name) ? .allowed : .unknown
        }
        if deniedExact.contains(full) { return .unsafe }
        if allowedExact.contains(full) { return .allowed }
        // torch.FloatStorage, torch.LongStorage, … (and torch.storage.UntypedStorage)
        if (module == "torch" || module == "torch.storage") && name.hasSuffix("Storage") { return .allowed }
        if Self.matches(module, deniedModules) || Self.matches(full, deniedModules) { return .unsafe }
        if Self.matches(module, allowedModules) { return .allowed }
        return .unknown
    }

    /// Whether `name` is one of `prefixes` or lies below one (`os.path` below `os`).
    static func matches(_ name: String, _ prefixes: Set<String>) -> Bool {
        if prefixes.contains(name) { return true }
        var current = Substring(name)
        while let dot = current.lastIndex(of: ".") {
            current = current[..<dot]
            if prefixes.contains(String(current)) { return true }
        }
        return false
    }
}
