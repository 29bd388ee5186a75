/// YAML tags. ``Tag/Name`` is the tag URI (`tag:yaml.org,2002:int`); stateless namespace.
public enum Tag {
    /// A tag URI. A value type; `Sendable`.
    public struct Name: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// No tag written (plain scalars before resolution).
        public static let implicit = Name(rawValue: "")
        /// The non-specific tag `!`.
        public static let nonSpecific = Name(rawValue: "!")
        public static let str = Name(rawValue: "tag:yaml.org,2002:str")
        public static let seq = Name(rawValue: "tag:yaml.org,2002:seq")
        public static let map = Name(rawValue: "tag:yaml.org,2002:map")
        public static let bool = Name(rawValue: "tag:yaml.org,2002:bool")
        public static let float = Name(rawValue: "tag:yaml.org,2002:float")
        public static let null = Name(rawValue: "tag:yaml.org,2002:null")
        public static let int = Name(rawValue: "tag:yaml.org,2002:int")
        public static let merge = Name(rawValue: "tag:yaml.org,2002:merge")
        public static let timestamp = Name(rawValue: "tag:yaml.org,2002:timestamp")
        public static let value = Name(rawValue: "tag:yaml.org,2002:value")
    }
}
