#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One global a pickle makes the loader import: one `find_class(module, name)` call (GLOBAL,
/// INST, STACK_GLOBAL), with the names as CPython resolves them.
public struct PickleImport: Sendable, Equatable {
    /// The module and dotted name after `_compat_pickle`'s mappings.
    public var module: String
    public var name: String
    /// The names as written in the pickle.
    public var rawModule: String
    public var rawName: String
    /// Byte offset of the opcode in the scanned bytes.
    public var offset: Int
    public var opcode: String
    /// The protocol in force when it was resolved (PROTO may change it mid-stream).
    public var proto: Int

    public var qualifiedName: String { "\(module).\(name)" }
}

/// Something in a pickle that stops it from being known safe: where CPython's loader would fail,
/// or a call whose callable mlci cannot know.
public struct PickleProblem: Sendable, Equatable {
    public var offset: Int
    public var message: String
    /// Whether reading stopped here (the rest of the bytes were not understood).
    public var isFatal: Bool
}

/// What walking every pickle stacked in a byte range found.
public struct PickleScan: Sendable {
    public var imports: [PickleImport] = []
    /// How many complete pickles (up to and including STOP) were walked.
    public var pickles = 0
    public var problems: [PickleProblem] = []
    /// The joblib arrays whose raw bytes were skipped (count of arrays, total bytes).
    public var joblibArrays = 0
    public var joblibArrayBytes = 0
    /// The offset after the last pickle read (the end of the input when every pickle was read).
    public var end = 0
    /// Every `('storage', type, key, location, numel, …)` persistent ID a BINPERSID loaded (the
    /// legacy PyTorch format); a malformed one has nil fields.
    public var storages: [PersistentStorage] = []
    /// When the last top-level pickle's value is a list: its length and its leading strings.
    public var lastList: (count: Int, strings: [String])?
}

/// A storage a legacy PyTorch pickle refers to by persistent ID.
public struct PersistentStorage: Sendable, Equatable {
    public var key: String?
    /// The storage class, `module.name` (`torch.FloatStorage`).
    public var type: String?
    public var numel: Int?
}

/// Walks pickles statically — never unpickling, never importing — exactly as CPython's C
/// unpickler (`Modules/_pickle.c`) reads them: every opcode argument with CPython's grammar,
/// the current protocol tracked through every PROTO, `_compat_pickle` mappings applied, and the
/// stack, mark stack (with its fence), and memo emulated, so that the callable of every REDUCE,
/// BUILD, INST, OBJ and NEWOBJ(_EX) is known. A call whose callable is not a global the pickle
/// imported is reported, as is every operation CPython would refuse.
///
/// Reads every pickle until the end of the bytes; bytes that are not a pickle are a problem.
/// With `joblib`, the raw array data joblib writes after each `NumpyArrayWrapper` BUILD is
/// skipped exactly as `joblib.load` reads it, and object arrays' nested pickles are walked.
///
/// Linear time in the input. Stateless; safe from any thread.
public enum PickleScanner {
    /// Scans from `start` to the end of `bytes`.
    /// Reads at most `maxPickles` pickles when given (the legacy PyTorch format has five, then raw data).
    public static func scan(_ bytes: UnsafeRawBufferPointer, startingAt start: Int = 0, joblib: Bool = false,
                            deadline: UInt64? = nil, maxPickles: Int? = nil) -> PickleScan {
        let machine = PickleMachine(bytes: bytes, joblib: joblib, deadline: deadline)
        var offset = start
        if offset >= bytes.count {
            machine.result.problems.append(PickleProblem(offset: offset, message: "empty: no pickle to read (CPython: Ran out of input)", isFatal: true))
            return machine.result
        }
        while offset < bytes.count, machine.result.pickles < (maxPickles ?? Int.max) {
            guard let end = machine.run(at: offset, nested: false) else { break }
            machine.result.pickles += 1
            offset = end
            machine.result.end = end
        }
        return machine.result
    }

    public static func scan(_ bytes: [UInt8], joblib: Bool = false) -> PickleScan {
        bytes.withUnsafeBytes { scan($0, joblib: joblib) }
    }

    /// Monotonic nanoseconds, for deadlines.
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

extension PickleScanner {
    /// Why numpy's `dtype.__setstate__` (`arraydescr_setstate`) would refuse `state`, or `nil`:
    /// a tuple of 5 to 9 items in one of its layouts, C integers where it parses them, a
    /// string endianness, a version from 0 to 4 (seen with numpy 2.4: a joblib file whose
    /// dtype state had 11 items loads in no CPython, so it must not pass as safe).
    static func numpyDTypeStateProblem(_ state: PickleValue?) -> String? {
        guard case .node(let tuple)? = state, tuple.kind == .tuple, tuple.count == tuple.items.count else {
            return "the state is not a tuple"
        }
        let items = tuple.items
        // numpy's layouts by length: C integers (`i`), the endianness, and the structure
        // slots (subarray, names, fields) that must be None for a plain dtype.
        let integers: [Int], endian: Int, structure: [Int]
        switch items.count {
        case 7, 8, 9: (integers, endian, structure) = ([0, 5, 6], 1, [2, 3, 4])
        case 6: (integers, endian, structure) = ([0, 4, 5], 1, [2, 3])
        case 5: (integers, endian, structure) = ([3, 4], 0, [1, 2])
        default: return "the state has \(items.count) items (numpy reads 5 to 9)"
        }
        for position in integers {
            switch items[position] {
            case .int, .bool: continue
            case .bigInt: return "item \(position) of the state is too large for a C long"
            default: return "item \(position) of the state is a \(items[position].typeName), not an integer"
            }
        }
        if items.count >= 8 {  // the flags: any Python int
            switch items[7] {
            case .int, .bool, .bigInt: break
            default: return "item 7 of the state is a \(items[7].typeName), not an integer"
            }
        }
        // A bool is 0 or 1, either a version numpy reads.
        if items.count > 5, case .int(let version) = items[0], !(0...4).contains(version) {
            return "the state's version is \(version) (numpy reads 0 to 4)"
        }
        guard case .str = items[endian] else { return "the endianness is not a string" }
        // Structured and subarray dtypes (scikit-learn's tree nodes are one): the slots hold
        // None or a tuple (subarray, names) or a dict (fields), as numpy requires. numpy's
        // deeper checks of their contents are not modelled.
        for position in structure {
            let isFields = position == structure.last
            switch items[position] {
            case .none: continue
            case .node(let node) where node.kind == (isFields ? .dict : .tuple): continue
            default:
                return "item \(position) of the state is a \(items[position].typeName), not None or a \(isFields ? "dict" : "tuple")"
            }
        }
        return nil
    }
}

/// A value on the emulated stack: just enough of Python's object model to know what CPython
/// accepts (types, hashability) and what is called.
enum PickleValue {
    case none, bool, int(Int), bigInt, float, bytes, bytearray, buffer
    case str(String)
    /// The result of `find_class`: index into the scan's imports.
    case global(Int)
    case node(PickleNode)

    var isHashable: Bool {
        switch self {
        case .bytearray, .buffer: return false
        case .node(let node): return node.isHashable
        default: return true
        }
    }

    var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .bytes: return "bytes"
        case .bytearray: return "bytearray"
        case .buffer: return "PickleBuffer"
        case .str: return "str"
        case .global: return "a global"
        case .node(let node): return node.kind.rawValue
        }
    }
}

/// A container or an object made by a call. A class, because Python objects are shared: a memo
/// GET returns the same list that APPENDs later fill.
final class PickleNode {
    enum Kind: String { case tuple, list, dict, set, frozenset, object, persistent = "persistent object" }
    static let tracked = 64

    let kind: Kind
    /// The first `tracked` items (dict: key, value, key, value…).
    var items: [PickleValue] = []
    var count = 0
    let isHashable: Bool
    /// For objects: the import index of the class (or callable) that made it, and its arguments.
    var maker: Int = -1
    var arguments: PickleValue?
    var state: PickleValue?

    /// How deep the values this node keeps go: deeper ones are dropped (kept as `None`), so
    /// freeing a million nested lists does not recurse a million times.
    var depth = 1
    static let maximumDepth = 32

    static func shallow(_ value: PickleValue) -> PickleValue {
        if case .node(let node) = value, node.depth >= maximumDepth { return .none }
        return value
    }

    static func depth(of value: PickleValue?) -> Int {
        if case .node(let node)? = value { return node.depth }
        return 0
    }

    init(_ kind: Kind, items: ArraySlice<PickleValue> = [], hashable: Bool? = nil) {
        self.kind = kind
        self.count = items.count
        self.items = items.prefix(Self.tracked).map(Self.shallow)
        self.depth = 1 + (self.items.map(Self.depth(of:)).max() ?? 0)
        switch kind {
        case .tuple, .frozenset: isHashable = hashable ?? items.allSatisfy(\.isHashable)
        case .list, .dict, .set: isHashable = false
        case .object, .persistent: isHashable = true
        }
    }

    /// Adds `values`, keeping the first `tracked`; returns whether it kept a node (an edge
    /// that may close a cycle, as a list appended to itself does).
    @discardableResult
    func append(_ values: ArraySlice<PickleValue>) -> Bool {
        var keptNode = false
        if items.count < Self.tracked {
            let kept = values.prefix(Self.tracked - items.count).map(Self.shallow)
            items += kept
            depth = max(depth, 1 + (kept.map(Self.depth(of:)).max() ?? 0))
            keptNode = kept.contains { if case .node = $0 { true } else { false } }
        }
        count += values.count
        return keptNode
    }

    /// The value under a string key of a (tracked) dict.
    subscript(key: String) -> PickleValue? {
        guard kind == .dict else { return nil }
        var index = 0
        while index + 1 < items.count {
            if case .str(let k) = items[index], k == key { return items[index + 1] }
            index += 2
        }
        return nil
    }
}

/// The emulated C unpickler. One per scan; not shared between threads.
final class PickleMachine {
    let bytes: UnsafeRawBufferPointer
    /// Whether BUILDs of joblib's NumpyArrayWrapper are followed by raw array data (joblib.load's
    /// NumpyUnpickler); off inside the nested pickle of an object array.
    var joblib: Bool
    let deadline: UInt64?
    var result = PickleScan()
    var steps = 0

    init(bytes: UnsafeRawBufferPointer, joblib: Bool, deadline: UInt64?) {
        self.bytes = bytes
        self.joblib = joblib
        self.deadline = deadline
    }

    /// Nodes that were given a node after they were made (APPEND, SETITEM, ADDITEMS, BUILD):
    /// only such an edge can close a cycle (`l = []; l.append(l)` pickles as one), which
    /// reference counting never frees. Held weakly; the ones still alive at the end are
    /// emptied, breaking every cycle. Dead entries are dropped as the list doubles.
    private struct Grown { weak var node: PickleNode? }
    private var grown: [Grown] = []
    private var grownLimit = 1024

    func noteGrown(_ node: PickleNode) {
        grown.append(Grown(node: node))
        if grown.count >= grownLimit {
            grown.removeAll { $0.node == nil }
            grownLimit = max(1024, 2 * grown.count)
        }
    }

    deinit {
        for entry in grown {
            guard let node = entry.node else { continue }
            node.items.removeAll()
            node.state = nil
        }
    }

    struct Failure: Error {
        let offset: Int
        let message: String
    }

    static let names: [UInt8: String] = [
        0x52: "REDUCE", 0x62: "BUILD", 0x69: "INST", 0x6F: "OBJ", 0x81: "NEWOBJ", 0x92: "NEWOBJ_EX",
    ]

    /// Runs one pickle from `start` through its STOP. Returns the offset after STOP, or `nil`
    /// (with a fatal problem recorded) where CPython's loader would fail.
    func run(at start: Int, nested: Bool) -> Int? {
        do {
            return try load(from: start, nested: nested)
        } catch let failure as Failure {
            result.problems.append(PickleProblem(offset: failure.offset, message: failure.message, isFatal: true))
            return nil
        } catch {
            return nil
        }
    }

    func note(_ offset: Int, _ message: String) {
        if result.problems.count < 1000 { result.problems.append(PickleProblem(offset: offset, message: message, isFatal: false)) }
    }

    // swiftlint:disable:next function_body_length cyclomatic_complexity
    func load(from start: Int, nested: Bool) throws -> Int {
        let bytes = self.bytes
        let n = bytes.count
        var stack: [PickleValue] = []
        stack.reserveCapacity(64)
        var marks: [Int] = []
        var fence = 0
        var memo: [Int: PickleValue] = [:]
        var proto = 0
        var i = start
        var op: UInt8 = 0
        var at = start

        func fail(_ message: String) -> Failure { Failure(offset: at, message: message) }
        func truncated() -> Failure { fail("pickle data was truncated") }
        func need(_ count: Int) throws {
            guard count >= 0, count <= n - i else { throw count < 0 ? fail("negative byte count") : truncated() }
        }
        func le(_ width: Int) -> UInt64 {
            var value: UInt64 = 0
            for k in stride(from: width - 1, through: 0, by: -1) { value = value << 8 | UInt64(bytes[i + k]) }
            return value
        }
        /// A `\n`-terminated line, including the `\n`.
        func line() throws -> UnsafeRawBufferPointer {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[i...])
            guard let newline = rest.firstIndex(of: 0x0A) else { throw fail("pickle data was truncated (no newline)") }
            let end = i + newline + 1
            defer { i = end }
            return UnsafeRawBufferPointer(rebasing: bytes[i..<end])
        }
        func underflow() -> Failure { fail(marks.isEmpty ? "unpickling stack underflow" : "unexpected MARK found") }
        func pop() throws -> PickleValue {
            guard stack.count > fence else { throw underflow() }
            return stack.removeLast()
        }
        func marker() throws -> Int {
            guard let mark = marks.popLast() else { throw fail("could not find MARK") }
            fence = marks.last ?? 0
            return mark
        }
        func popSlice(from index: Int) throws -> ArraySlice<PickleValue> {
            guard index >= fence else { throw underflow() }
            let slice = stack[index...]
            stack.removeSubrange(index...)
            return slice
        }
        func memoPut(_ index: Int) throws {
            guard stack.count > fence else { throw underflow() }
            guard index >= 0 else { throw fail("negative PUT argument") }
            guard index < 1 << 26 else { throw fail("memo index \(index) is beyond what mlci follows (CPython would allocate a memo of that size)") }
            memo[index] = stack[stack.count - 1]
        }
        func memoGet(_ index: Int) throws {
            guard let value = memo[index] else { throw fail("Memo value not found at index \(index)") }
            stack.append(value)
        }
        func text(_ count: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[i..<i + count]) }
        func string(_ s: String?, _ what: String) throws -> PickleValue {
            guard let s else { throw fail("\(what): not decodable as CPython decodes it") }
            return .str(s)
        }
        /// `find_class(module, name)` as CPython resolves it at the current protocol.
        func findClass(_ module: String, _ name: String, _ opcode: String) throws -> PickleValue {
            let (m, attribute) = PickleNames.mapped(module: module, name: name, proto: proto)
            result.imports.append(PickleImport(module: m, name: attribute, rawModule: module, rawName: name,
                                               offset: at, opcode: opcode, proto: proto))
            let index = result.imports.count - 1
            if attribute.contains(".") {
                if proto < 4 {
                    note(at, "\(opcode) names '\(m).\(attribute)' with a dotted attribute before protocol 4")
                } else if attribute.split(separator: ".", omittingEmptySubsequences: false).contains("<locals>") {
                    throw fail("Can't get local attribute \(attribute) on \(m)")
                }
            }
            return .global(index)
        }
        /// A call of `callable`: known only when it is a global the pickle imported.
        func call(_ callable: PickleValue, _ what: String, arguments: PickleValue?) -> PickleValue {
            let node = PickleNode(.object)
            node.arguments = arguments.map(PickleNode.shallow)
            node.depth = 1 + PickleNode.depth(of: node.arguments)
            switch callable {
            case .global(let index):
                node.maker = index
                // copyreg._reconstructor(cls, base, state) and copyreg.__newobj__(cls, …) make a `cls`.
                let made = result.imports[index].qualifiedName
                if made == "copyreg._reconstructor" || made == "copyreg.__newobj__" || made == "copyreg.__newobj_ex__",
                   case .node(let args)? = arguments, case .global(let cls)? = args.items.first {
                    node.maker = cls
                }
            default:
                note(at, "\(what) calls \(callable.typeName), not a global the pickle imports: mlci cannot know what runs")
            }
            return .node(node)
        }
        func requireTuple(_ value: PickleValue, _ message: String) throws {
            guard case .node(let node) = value, node.kind == .tuple else { throw fail(message) }
        }

        while true {
            steps &+= 1
            if steps & 0xFFFF == 0, let deadline, PickleScanner.now() > deadline {
                throw Failure(offset: i, message: "the scan ran out of its time budget here; the rest was not read")
            }
            at = i
            guard i < n else { throw Failure(offset: i, message: nested || i > start ? "pickle data was truncated (no STOP)" : "Ran out of input") }
            op = bytes[i]
            i += 1
            switch op {
            case 0x2E:  // . STOP
                let value = try pop()
                if !nested {
                    if case .node(let node) = value, node.kind == .list {
                        result.lastList = (node.count, node.items.compactMap { if case .str(let text) = $0 { text } else { nil } })
                    } else {
                        result.lastList = nil
                    }
                }
                return i
            case 0x28:  // ( MARK
                marks.append(stack.count)
                fence = stack.count
            case 0x30:  // 0 POP
                if let last = marks.last, last == stack.count {
                    marks.removeLast()
                    fence = marks.last ?? 0
                } else {
                    _ = try pop()
                }
            case 0x31:  // 1 POP_MARK
                let mark = try marker()
                stack.removeSubrange(mark...)
            case 0x32:  // 2 DUP
                guard stack.count > fence else { throw underflow() }
                stack.append(stack[stack.count - 1])
            case 0x4E: stack.append(.none)                          // N
            case 0x88, 0x89: stack.append(.bool)                    // NEWTRUE, NEWFALSE
            case 0x49:                                              // I INT
                let l = try line()
                guard l.count >= 2 else { throw fail("pickle data was truncated") }
                guard let (value, isBool) = PickleArguments.int(l) else { throw fail("could not convert string to int") }
                if isBool { stack.append(.bool) } else if case .small(let v) = value { stack.append(.int(v)) } else { stack.append(.bigInt) }
            case 0x4C:                                              // L LONG
                let l = try line()
                guard l.count >= 2 else { throw fail("pickle data was truncated") }
                guard let value = PickleArguments.long(l) else { throw fail("invalid literal for int() in LONG") }
                if case .small(let v) = value { stack.append(.int(v)) } else { stack.append(.bigInt) }
            case 0x46:                                              // F FLOAT
                let l = try line()
                guard l.count >= 2 else { throw fail("pickle data was truncated") }
                guard PickleArguments.isFloat(l) else { throw fail("could not convert string to float") }
                stack.append(.float)
            case 0x4A: try need(4); stack.append(.int(Int(Int32(truncatingIfNeeded: le(4))))); i += 4   // J BININT
            case 0x4B: try need(1); stack.append(.int(Int(bytes[i]))); i += 1                          // K BININT1
            case 0x4D: try need(2); stack.append(.int(Int(le(2)))); i += 2                             // M BININT2
            case 0x8A, 0x8B:                                        // LONG1, LONG4
                let width = op == 0x8A ? 1 : 4
                try need(width)
                let count = op == 0x8A ? Int(bytes[i]) : Int(Int32(truncatingIfNeeded: le(4)))
                i += width
                guard count >= 0 else { throw fail("LONG pickle has negative byte count") }
                try need(count)
                var value = 0
                if count <= 8 {
                    for k in stride(from: count - 1, through: 0, by: -1) { value = value << 8 | Int(bytes[i + k]) }
                    if count > 0, count < 8, bytes[i + count - 1] & 0x80 != 0 { value -= 1 << (8 * count) }
                }
                i += count
                stack.append(count <= 8 ? .int(value) : .bigInt)
            case 0x47:                                              // G BINFLOAT
                // A run of BINFLOATs (the densest stream a model has) is pushed in one go.
                try need(8)
                i += 8
                var count = 1
                while i + 9 <= n, bytes[i] == 0x47 { i += 9; count += 1 }
                stack.append(contentsOf: repeatElement(PickleValue.float, count: count))
            case 0x53:                                              // S STRING
                let l = try line()
                stack.append(try string(PickleArguments.quotedString(l), "STRING"))
            case 0x56:                                              // V UNICODE
                let l = try line()
                stack.append(try string(PickleArguments.rawUnicodeEscape(UnsafeRawBufferPointer(rebasing: l[..<(l.count - 1)])), "UNICODE"))
            case 0x54, 0x55:                                        // T BINSTRING, U SHORT_BINSTRING
                let width = op == 0x54 ? 4 : 1
                try need(width)
                let count = Int(le(width)); i += width
                try need(count)
                stack.append(try string(PickleArguments.ascii(text(count)), "BINSTRING (ASCII under the default encoding)"))
                i += count
            case 0x58, 0x8C, 0x8D:                                  // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
                let width = op == 0x58 ? 4 : op == 0x8C ? 1 : 8
                try need(width)
                let raw = le(width); i += width
                guard raw <= UInt64(Int.max) else { throw fail("BINUNICODE8 exceeds system's maximum size") }
                let count = Int(raw)
                try need(count)
                stack.append(try string(PickleArguments.utf8(text(count), surrogatePass: true), "BINUNICODE (UTF-8)"))
                i += count
            case 0x42, 0x43, 0x8E, 0x96:                            // BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8
                let width = op == 0x42 ? 4 : op == 0x43 ? 1 : 8
                try need(width)
                let raw = le(width); i += width
                guard raw <= UInt64(Int.max) else { throw fail("BINBYTES8 exceeds system's maximum size") }
                let count = Int(raw)
                try need(count)
                i += count
                stack.append(op == 0x96 ? .bytearray : .bytes)
            case 0x29: stack.append(.node(PickleNode(.tuple)))       // ) EMPTY_TUPLE
            case 0x5D: stack.append(.node(PickleNode(.list)))        // ] EMPTY_LIST
            case 0x7D: stack.append(.node(PickleNode(.dict)))        // } EMPTY_DICT
            case 0x8F: stack.append(.node(PickleNode(.set)))         // EMPTY_SET
            case 0x74:                                              // t TUPLE
                let mark = try marker()
                stack.append(.node(PickleNode(.tuple, items: try popSlice(from: mark))))
            case 0x85, 0x86, 0x87:                                  // TUPLE1, TUPLE2, TUPLE3
                let count = Int(op - 0x84)
                guard stack.count >= count else { throw underflow() }
                stack.append(.node(PickleNode(.tuple, items: try popSlice(from: stack.count - count))))
            case 0x6C:                                              // l LIST
                let mark = try marker()
                stack.append(.node(PickleNode(.list, items: try popSlice(from: mark))))
            case 0x91:                                              // FROZENSET
                let mark = try marker()
                let items = try popSlice(from: mark)
                guard items.allSatisfy(\.isHashable) else { throw fail("unhashable item in FROZENSET") }
                stack.append(.node(PickleNode(.frozenset, items: items, hashable: true)))
            case 0x64:                                              // d DICT
                let mark = try marker()
                let items = try popSlice(from: mark)
                guard items.count % 2 == 0 else { throw fail("odd number of items for DICT") }
                var k = items.startIndex
                while k < items.endIndex { guard items[k].isHashable else { throw fail("unhashable dict key in DICT") }; k += 2 }
                stack.append(.node(PickleNode(.dict, items: items)))
            case 0x61, 0x65:                                        // a APPEND, e APPENDS
                let x = op == 0x61 ? stack.count - 1 : try marker()
                guard x <= stack.count, x > fence else { throw underflow() }
                if x == stack.count { break }
                // No slice outlives this step: removing the items must not copy the stack.
                switch stack[x - 1] {
                case .node(let node) where node.kind == .list: if node.append(stack[x...]) { noteGrown(node) }
                case .node(let node) where node.kind == .object || node.kind == .persistent: break
                default: throw fail("\(op == 0x61 ? "APPEND" : "APPENDS") to \(stack[x - 1].typeName), which has no append/extend")
                }
                stack.removeSubrange(x...)
            case 0x73, 0x75:                                        // s SETITEM, u SETITEMS
                let x = op == 0x73 ? stack.count - 2 : try marker()
                guard x <= stack.count, x > fence else { throw underflow() }
                if x == stack.count { break }
                guard (stack.count - x) % 2 == 0 else { throw fail("odd number of items for SETITEMS") }
                switch stack[x - 1] {
                case .node(let node) where node.kind == .dict:
                    var k = x
                    while k < stack.count { guard stack[k].isHashable else { throw fail("unhashable dict key in SETITEM(S)") }; k += 2 }
                    if node.append(stack[x...]) { noteGrown(node) }
                case .node(let node) where node.kind == .object || node.kind == .persistent: break
                default: throw fail("SETITEM(S) on \(stack[x - 1].typeName)")
                }
                stack.removeSubrange(x...)
            case 0x90:                                              // ADDITEMS
                let mark = try marker()
                guard mark <= stack.count, mark > fence else { throw underflow() }
                if mark == stack.count { break }
                switch stack[mark - 1] {
                case .node(let node) where node.kind == .set:
                    guard stack[mark...].allSatisfy(\.isHashable) else { throw fail("unhashable item in ADDITEMS") }
                    if node.append(stack[mark...]) { noteGrown(node) }
                case .node(let node) where node.kind == .object || node.kind == .persistent: break
                default: throw fail("ADDITEMS on \(stack[mark - 1].typeName)")
                }
                stack.removeSubrange(mark...)
            case 0x67:                                              // g GET
                let l = try line()
                guard l.count >= 2 else { throw fail("pickle data was truncated") }
                guard let index = PickleArguments.index(l) else { throw fail("invalid GET argument") }
                guard case .small(let k) = index else { throw fail("Memo value not found (index too large)") }
                try memoGet(k)
            case 0x68: try need(1); let k = Int(bytes[i]); i += 1; try memoGet(k)         // h BINGET
            case 0x6A: try need(4); let k = Int(le(4)); i += 4; try memoGet(k)            // j LONG_BINGET
            case 0x70:                                              // p PUT
                guard stack.count > fence else { throw underflow() }
                let l = try line()
                guard l.count >= 2 else { throw fail("pickle data was truncated") }
                guard let index = PickleArguments.index(l) else { throw fail("invalid PUT argument") }
                guard case .small(let k) = index else { throw fail("PUT index too large (MemoryError)") }
                try memoPut(k)
            case 0x71: try need(1); let k = Int(bytes[i]); i += 1; try memoPut(k)         // q BINPUT
            case 0x72: try need(4); let k = Int(le(4)); i += 4; try memoPut(k)            // r LONG_BINPUT
            case 0x94: try memoPut(memo.count)                      // MEMOIZE
            case 0x63:                                              // c GLOBAL
                let moduleLine = try line()
                guard moduleLine.count >= 2 else { throw fail("pickle data was truncated") }
                let nameLine = try line()
                guard nameLine.count >= 2 else { throw fail("pickle data was truncated") }
                guard let module = PickleArguments.utf8(UnsafeRawBufferPointer(rebasing: moduleLine[..<(moduleLine.count - 1)]), surrogatePass: false),
                      let name = PickleArguments.utf8(UnsafeRawBufferPointer(rebasing: nameLine[..<(nameLine.count - 1)]), surrogatePass: false)
                else { throw fail("GLOBAL names are not UTF-8") }
                stack.append(try findClass(module, name, "GLOBAL"))
            case 0x69:                                              // i INST
                let mark = try marker()
                let moduleLine = try line()
                guard moduleLine.count >= 2 else { throw fail("pickle data was truncated") }
                guard let module = PickleArguments.ascii(moduleLine[..<(moduleLine.count - 1)]) else { throw fail("INST names are not ASCII") }
                let nameLine = try line()
                guard nameLine.count >= 2 else { throw fail("pickle data was truncated") }
                guard let name = PickleArguments.ascii(nameLine[..<(nameLine.count - 1)]) else { throw fail("INST names are not ASCII") }
                let cls = try findClass(module, name, "INST")
                let args = try popSlice(from: mark)
                stack.append(call(cls, "INST", arguments: .node(PickleNode(.tuple, items: args))))
            case 0x93:                                              // STACK_GLOBAL
                let name = try pop()
                let module = try pop()
                guard case .str(let m) = module, case .str(let s) = name else { throw fail("STACK_GLOBAL requires str") }
                stack.append(try findClass(m, s, "STACK_GLOBAL"))
            case 0x82, 0x83, 0x84:                                  // EXT1, EXT2, EXT4
                let width = op == 0x82 ? 1 : op == 0x83 ? 2 : 4
                try need(width)
                let code = op == 0x84 ? Int(Int32(truncatingIfNeeded: le(4))) : Int(le(width))
                i += width
                guard code > 0 else { throw fail("EXT specifies code <= 0") }
                throw fail("EXT\(width == 4 ? 4 : width) \(code): an extension code imports whatever the loading process registered in copyreg (none by default: CPython fails with 'unregistered extension code')")
            case 0x50:                                              // P PERSID
                let l = try line()
                guard PickleArguments.ascii(l[..<(l.count - 1)]) != nil else { throw fail("persistent IDs in protocol 0 must be ASCII strings") }
                stack.append(.node(PickleNode(.persistent)))
            case 0x51:                                              // Q BINPERSID
                if case .node(let pid) = try pop(), pid.kind == .tuple, case .str("storage")? = pid.items.first {
                    var storage = PersistentStorage()
                    if pid.items.count >= 5 {
                        if case .global(let index) = pid.items[1], index < result.imports.count { storage.type = result.imports[index].qualifiedName }
                        if case .str(let key) = pid.items[2] { storage.key = key }
                        if case .int(let numel) = pid.items[4] { storage.numel = numel }
                    }
                    result.storages.append(storage)
                }
                stack.append(.node(PickleNode(.persistent)))
            case 0x52:                                              // R REDUCE
                let args = try pop()
                let callable = try pop()
                try requireTuple(args, "REDUCE: argument list must be a tuple")
                stack.append(call(callable, "REDUCE", arguments: args))
            case 0x81, 0x92:                                        // NEWOBJ, NEWOBJ_EX
                let kwargs = op == 0x92 ? try pop() : nil
                let args = try pop()
                let cls = try pop()
                let opname = op == 0x81 ? "NEWOBJ" : "NEWOBJ_EX"
                guard case .global = cls else {
                    if case .node(let node) = cls, node.kind == .object || node.kind == .persistent {
                        note(at, "\(opname) instantiates a computed class: mlci cannot know what runs")
                        stack.append(call(cls, opname, arguments: args))
                        break
                    }
                    throw fail("\(opname) class argument must be a type, not \(cls.typeName)")
                }
                try requireTuple(args, "\(opname) args argument must be a tuple")
                if let kwargs {
                    guard case .node(let node) = kwargs, node.kind == .dict else { throw fail("NEWOBJ_EX kwargs argument must be a dict") }
                }
                stack.append(call(cls, opname, arguments: args))
            case 0x6F:                                              // o OBJ
                let mark = try marker()
                guard stack.count - mark >= 1 else { throw underflow() }
                let args = try popSlice(from: mark + 1)
                let cls = try pop()
                stack.append(call(cls, "OBJ", arguments: .node(PickleNode(.tuple, items: args))))
            case 0x62:                                              // b BUILD
                guard stack.count - 2 >= fence, stack.count >= 2 else { throw underflow() }
                let state = stack.removeLast()
                let inst = stack[stack.count - 1]
                guard case .node(let node) = inst, node.kind == .object || node.kind == .persistent else {
                    throw fail("BUILD on \(inst.typeName): CPython sets state only on objects")
                }
                node.state = PickleNode.shallow(state)
                if case .node? = node.state { noteGrown(node) }
                node.depth = max(node.depth, 1 + PickleNode.depth(of: node.state))
                if node.maker >= 0, result.imports[node.maker].qualifiedName == "numpy.dtype",
                   let problem = PickleScanner.numpyDTypeStateProblem(node.state) {
                    throw fail("BUILD of a numpy.dtype: \(problem), which numpy's __setstate__ refuses (the file cannot be loaded)")
                }
                if joblib, node.maker >= 0, result.imports[node.maker].qualifiedName == "joblib.numpy_pickle.NumpyArrayWrapper" {
                    i = try skipJoblibArray(node, at: i)
                }
            case 0x80:                                              // PROTO
                try need(1)
                let value = Int(bytes[i]); i += 1
                guard value <= 5 else { throw fail("unsupported pickle protocol: \(value)") }
                proto = value
            case 0x95:                                              // FRAME
                try need(8)
                let raw = le(8); i += 8
                guard raw <= UInt64(Int.max) else { throw fail("FRAME length exceeds system's maximum") }
                try need(Int(raw))
            case 0x97:                                              // NEXT_BUFFER
                throw fail("pickle stream refers to out-of-band data but no *buffers* argument was given")
            case 0x98:                                              // READONLY_BUFFER
                throw fail("READONLY_BUFFER outside out-of-band buffers")
            default:
                throw fail("invalid load key, 0x\(String(op, radix: 16)) (not a pickle opcode)")
            }
        }
    }
}
