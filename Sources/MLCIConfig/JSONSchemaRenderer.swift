import MLCISupport

extension Schema {
    /// The schema as JSON Schema (draft 2020-12), for editors and other validators.
    public func jsonSchema(id: String? = nil, title: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("$schema", "https://json-schema.org/draft/2020-12/schema")]
        if let id { members.append(("$id", .string(id))) }
        if let title { members.append(("title", .string(title))) }
        guard case .object(let body) = rendered() else { return .object(members) }
        return .object(members + body)
    }

    func rendered() -> JSONValue {
        var out: [(String, JSONValue)] = []
        if !description.isEmpty { out.append(("description", .string(description))) }
        switch self {
        case .object(let properties, _, let anyOf):
            out.append(("type", "object"))
            out.append(("properties", .object(properties.map { ($0.name, $0.schema.rendered()) })))
            let required = properties.filter(\.isRequired).map { JSONValue.string($0.name) }
            if !required.isEmpty { out.append(("required", .array(required))) }
            if !anyOf.isEmpty { out.append(("anyOf", .array(anyOf.map { ["required": [.string($0)]] }))) }
            out.append(("additionalProperties", false))
        case .map(let key, let value, _):
            out.append(("type", "object"))
            var names: [(String, JSONValue)] = [("minLength", 1)]
            if let pattern = key.pattern { names.append(("pattern", .string(pattern))) }
            out.append(("propertyNames", .object(names)))
            out.append(("additionalProperties", value.rendered()))
        case .array(let item, let minItems, _):
            out.append(("type", "array"))
            out.append(("items", item.rendered()))
            if minItems > 0 { out.append(("minItems", .int(Int64(minItems)))) }
        case .string(let rule, _):
            out.append(("type", "string"))
            out.append(("minLength", 1))
            if let pattern = rule.pattern { out.append(("pattern", .string(pattern))) }
            if rule == .dnsLabel { out.append(("maxLength", 63)) }
        case .number(let minimum, let maximum, let exclusive, _):
            out.append(("type", "number"))
            if let minimum { out.append((exclusive ? "exclusiveMinimum" : "minimum", .double(minimum))) }
            if let maximum { out.append(("maximum", .double(maximum))) }
        case .integer(let minimum, let maximum, _):
            out.append(("type", "integer"))
            if let minimum { out.append(("minimum", .int(Int64(minimum)))) }
            if let maximum { out.append(("maximum", .int(Int64(maximum)))) }
        case .boolean:
            out.append(("type", "boolean"))
        case .either(let options, _):
            out.append(("anyOf", .array(options.map { $0.rendered() })))
        case .enumeration(let values, _):
            out.append(("type", "string"))
            out.append(("enum", .array(values.map(JSONValue.string))))
        case .scalar:
            out.append(("type", .array(["string", "number", "boolean", "null"])))
        }
        return .object(out)
    }
}
