/// Decides whether a global a pickle imports may be loaded.
///
/// A global passes only when its full dotted path (`module.name`, after `_compat_pickle`'s
/// mappings) is on the exact allowlist: the known ML reconstructors (`KnownGlobals`) plus the
/// exact names a project adds in `gate.model.allow`. Every dotted component is first checked
/// against the denylist (modelscan's and fickling's dangerous modules and callables), so a
/// denied module reached through an allowed package (`sklearn.utils.os.system`) is unsafe, and
/// nothing is ever allowed by prefix. A value type: `Sendable`.
public struct GlobalPolicy: Sendable {
    public enum Verdict: String, Sendable { case unsafe, allowed, unknown }

    /// Exact dotted names that pass.
    public var allowed: Set<String>
    /// Single components (a module like `os`, a callable like `eval`) that make any name unsafe.
    public var deniedComponents: Set<String>
    /// Dotted prefixes (`torch.hub`, `numpy.testing`) and exact names that are unsafe.
    public var deniedPrefixes: Set<String>

    public static let standard = GlobalPolicy(
        allowed: KnownGlobals.all,
        deniedComponents: [
            // modelscan CRITICAL ("*") and HIGH modules
            "runpy", "os", "nt", "posix", "socket", "subprocess", "sys", "pty", "pickle", "_pickle", "bdb", "pdb",
            "shutil", "asyncio", "webbrowser", "httplib", "requests", "aiohttp",
            // fickling UNSAFE_IMPORTS
            "commands", "multiprocessing", "_posixsubprocess", "code", "codeop", "marshal", "types", "doctest",
            "importlib", "_frozen_importlib", "_frozen_importlib_external", "_imp", "pkgutil", "zipimport", "gc", "site",
            "unittest", "inspect", "_operator", "operator", "functools", "cProfile", "profile", "timeit", "trace",
            "ssl", "http", "urllib", "urllib2", "smtplib", "imaplib", "ftplib", "poplib", "telnetlib", "nntplib",
            "socketserver", "xmlrpc", "select", "selectors", "ctypes", "_ctypes", "dill", "cloudpickle",
            "tempfile", "filecmp", "distutils", "fileinput", "glob", "platform", "linecache", "difflib", "mmap", "tarfile",
            "zipfile", "shelve", "sqlite3", "_sqlite3", "compileall", "py_compile", "logging", "syslog", "pydoc",
            "pexpect", "venv", "ensurepip", "pip", "idlelib", "lib2to3", "_signal", "threading", "_thread",
            "atexit", "_osx_support", "_aix_support", "posixpath", "ntpath", "builtins.__import__",
            // callables that run or reach code, wherever they live
            "eval", "exec", "execfile", "compile", "__import__", "getattr", "setattr", "delattr", "open", "breakpoint",
            "globals", "locals", "vars", "input", "apply", "system", "popen", "spawn", "execv", "execve", "execvp",
            "run_module", "run_path", "_run_code", "import_module", "load_module", "methodcaller", "attrgetter",
            "itemgetter", "runstring", "__reduce__", "__reduce_ex__", "__getattribute__", "__subclasses__",
            "__globals__", "__builtins__", "__code__",
        ],
        deniedPrefixes: [
            "torch.hub", "torch._dynamo", "torch._inductor", "torch.jit", "torch.compile", "torch.load",
            "torch.storage._load_from_bytes", "torch.serialization", "numpy.f2py", "numpy.distutils", "numpy.testing",
            "numpy.load", "numpy.lib.npyio", "joblib.load", "joblib.numpy_pickle.load", "io.FileIO", "io.open", "_io",
            "builtins.memoryview", "builtins.type", "builtins.super", "builtins.property", "builtins.classmethod",
            "builtins.staticmethod", "builtins.exit", "builtins.quit", "builtins.help",
        ]
    )

    /// Adds the exact names of `gate.model.allow` and the names or prefixes of `gate.model.deny`.
    public func adding(deny: [String], allow: [String]) -> GlobalPolicy {
        var copy = self
        for entry in deny { copy.deniedPrefixes.insert(entry) }
        for entry in allow { copy.allowed.insert(entry) }
        return copy
    }

    /// The verdict on `module.name` (the names as CPython resolves them).
    public func verdict(module: String, name: String) -> Verdict {
        let full = "\(module).\(name)"
        if isDenied(full) { return .unsafe }
        return allowed.contains(full) ? .allowed : .unknown
    }

    /// Whether any component, or any leading run of components, of `full` is denied.
    func isDenied(_ full: String) -> Bool {
        var prefix = ""
        for component in full.split(separator: ".", omittingEmptySubsequences: false) {
            prefix = prefix.isEmpty ? String(component) : "\(prefix).\(component)"
            if deniedComponents.contains(String(component)) || deniedPrefixes.contains(prefix) { return true }
        }
        return false
    }
}
