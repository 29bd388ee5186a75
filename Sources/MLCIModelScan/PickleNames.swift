/// How CPython's `Unpickler.find_class` turns the names in a pickle into the global it imports:
/// `_compat_pickle`'s mappings when the current protocol is below 3 (applied once, not chained),
/// then a dotted attribute walk when the protocol is 4 or more.
///
/// Stateless; safe from any thread.
enum PickleNames {
    /// The (module, name) `find_class(module, name)` resolves at protocol `proto`.
    static func mapped(module: String, name: String, proto: Int) -> (module: String, name: String) {
        guard proto < 3 else { return (module, name) }
        if let pair = nameMapping["\(module)\n\(name)"] { return pair }
        if let replacement = importMapping[module] { return (replacement, name) }
        return (module, name)
    }
}
