import MLCISupport

extension Escaping {
    /// A number for a report table: rounded to 6 decimals, shortest form; "–" when absent.
    static func tableNumber(_ value: JSONValue?) -> String {
        value?.doubleValue.map { JSONWriter.number(($0 * 1e6).rounded() / 1e6) } ?? "–"
    }
}
