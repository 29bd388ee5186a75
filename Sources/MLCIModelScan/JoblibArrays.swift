/// joblib's inline numpy arrays: right after the BUILD of a `NumpyArrayWrapper`, `joblib.load`
/// (`NumpyArrayWrapper.read_array`) reads either a nested pickle (object dtypes) or, with
/// `numpy_array_alignment_bytes` set, one padding-length byte and that many padding bytes, then
/// `prod(shape) × itemsize` raw bytes. The machine reads them the same way.
extension PickleMachine {
    /// Reads the array data that follows the BUILD at `offset`; returns the offset after it.
    func skipJoblibArray(_ wrapper: PickleNode, at offset: Int) throws -> Int {
        func fail(_ message: String) -> Failure { Failure(offset: offset, message: "joblib array: \(message)") }
        guard case .node(let state)? = wrapper.state, state.kind == .dict, state.count <= PickleNode.tracked else {
            throw fail("the NumpyArrayWrapper state is not a dict mlci can read")
        }
        guard case .node(let shape)? = state["shape"], shape.kind == .tuple, shape.count <= PickleNode.tracked else {
            throw fail("no readable shape")
        }
        var count = 1
        for dimension in shape.items {
            guard case .int(let d) = dimension, d >= 0 else { throw fail("a shape entry is not a non-negative int") }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw fail("the shape's size overflows") }
            count = product
        }
        guard case .node(let dtype)? = state["dtype"], dtype.kind == .object else { throw fail("no readable dtype") }
        let layout = try dtypeLayout(dtype, depth: 0, fail: fail)
        if layout.hasObject {
            // A nested, complete pickle read by a fresh (plain) Unpickler.
            joblib = false
            defer { joblib = true }
            guard let end = run(at: offset, nested: true) else { throw fail("the object array's nested pickle cannot be read") }
            result.joblibArrays += 1
            return end
        }
        var at = offset
        if let alignment = state["numpy_array_alignment_bytes"], !isNone(alignment) {
            guard at < bytes.count else { throw fail("EOF before the padding byte") }
            let padding = Int(bytes[at])
            at += 1 + padding
        }
        let (size, overflow) = count.multipliedReportingOverflow(by: layout.itemsize)
        guard !overflow, at <= bytes.count, size <= bytes.count - at else {
            throw fail("EOF: reading array data, expected \(overflow ? "more" : String(size)) bytes")
        }
        result.joblibArrays += 1
        result.joblibArrayBytes += size
        return at + size
    }

    func isNone(_ value: PickleValue) -> Bool {
        if case .none = value { return true }
        return false
    }

    /// A `numpy.dtype(descr, align, copy)` object: its item size, and whether it holds Python
    /// objects (then joblib writes a nested pickle).
    func dtypeLayout(_ dtype: PickleNode, depth: Int, fail: (String) -> Failure) throws -> (itemsize: Int, hasObject: Bool) {
        guard depth < 8, dtype.maker >= 0 else { throw fail("the dtype is not a numpy.dtype") }
        let maker = result.imports[dtype.maker].qualifiedName
        guard maker == "numpy.dtype" else { throw fail("the dtype is made by \(maker), not numpy.dtype") }
        guard case .node(let args)? = dtype.arguments, case .str(let descr)? = args.items.first else {
            throw fail("the dtype's descr is not a string")
        }
        let scalars = Array(descr.unicodeScalars)
        guard let kind = scalars.first else { throw fail("empty dtype descr") }
        let digits = String(String.UnicodeScalarView(scalars.dropFirst()))
        guard let number = Int(digits), number >= 0 else { throw fail("dtype descr '\(descr)' is not one mlci reads") }
        switch kind {
        case "O": return (8, true)
        case "f", "i", "u", "b", "c", "S", "a", "M", "m": return (number, false)
        case "U": return (number * 4, false)
        case "V":
            // Structured or sub-array dtypes: any object field means a nested pickle.
            var hasObject = false
            if case .node(let state)? = dtype.state, state.kind == .tuple, state.count <= PickleNode.tracked {
                if state.items.count > 2, case .node(let sub) = state.items[2], sub.kind == .tuple,
                   case .node(let base)? = sub.items.first, base.kind == .object {
                    if try dtypeLayout(base, depth: depth + 1, fail: fail).hasObject { hasObject = true }
                } else if state.items.count > 2, !isNone(state.items[2]) {
                    throw fail("a sub-array dtype mlci cannot read")
                }
                if state.items.count > 4, case .node(let fields) = state.items[4], fields.kind == .dict {
                    guard fields.count <= PickleNode.tracked else { throw fail("too many dtype fields") }
                    var k = 1
                    while k < fields.items.count {
                        guard case .node(let entry) = fields.items[k], entry.kind == .tuple,
                              case .node(let fieldType)? = entry.items.first, fieldType.kind == .object else {
                            throw fail("a dtype field mlci cannot read")
                        }
                        if try dtypeLayout(fieldType, depth: depth + 1, fail: fail).hasObject { hasObject = true }
                        k += 2
                    }
                } else if state.items.count > 4, !isNone(state.items[4]) {
                    throw fail("dtype fields mlci cannot read")
                }
            } else if dtype.state != nil {
                throw fail("a structured dtype state mlci cannot read")
            }
            return (number, hasObject)
        default:
            throw fail("dtype descr '\(descr)' is not one mlci reads")
        }
    }
}
