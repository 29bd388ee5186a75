/// YAML text to ``Node`` trees, through Debian's libyaml.
///
/// mlci used the Yams package until it linked Foundation, and with it ICU (about 30 MB) into
/// the release binary; this module composes the same trees (same tags, marks, alias handling
/// and duplicate-key errors) from libyaml directly. Stateless; safe from any thread (each call
/// has its own parser).
public enum YAML {
    /// The single document of `text`, `nil` when there is none.
    ///
    /// - Throws: ``YAMLError`` located at the problem (syntax, undefined alias, duplicate key,
    ///   a second document).
    public static func compose(_ text: String, resolver: Resolver = .default) throws(YAMLError) -> Node? {
        try Composer.with(text, resolver: resolver) { composer throws(YAMLError) in try composer.singleRoot() }
    }

    /// Every document of `text` (a `---`-separated stream).
    public static func composeAll(_ text: String, resolver: Resolver = .default) throws(YAMLError) -> [Node] {
        try Composer.with(text, resolver: resolver) { composer throws(YAMLError) in
            var documents: [Node] = []
            while let root = try composer.nextRoot() { documents.append(root) }
            return documents
        }
    }
}
