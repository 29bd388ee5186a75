/// One `module.name` a pickle imports (GLOBAL, INST, STACK_GLOBAL) or an import it hides.
public struct PickleImport: Sendable, Equatable {
    public var module: String
    public var name: String
    /// Byte offset of the opcode in the scanned bytes.
    public var offset: Int
    public var opcode: String
    /// Whether the operands could not be resolved (a STACK_GLOBAL fed by computed values, EXT codes).
    public var isDynamic: Bool

    public var qualifiedName: String { module.isEmpty ? name : "\(module).\(name)" }
}

/// What walking one byte range of pickles found.
public struct PickleScan: Sendable {
    public var imports: [PickleImport]
    /// How many complete pickles were walked.
    public var pickles: Int
    /// Where and why walking stopped early (truncated, unknown opcode), if it did.
    public var problem: (offset: Int, message: String)?
}

/// Walks pickle opcodes statically — never unpickling, never importing — over every pickle
/// stacked in a byte buffer, protocols 0 to 5, emulating only as much of the stack and memo as
/// resolving `STACK_GLOBAL` operands needs.
///
/// Linear time and memory in the input: each opcode pushes at most one value, arguments are
/// bounds-checked, lines are bounded. Stateless; safe from any thread.
public enum PickleScanner {
    enum Value {
        case mark
        case string(String)
        case other
    }

    /// The longest newline-terminated argument accepted (protocol 0 text opcodes).
    static let maximumLine = 1 << 20

    public static func scan(_ bytes: UnsafeRawBufferPointer, startingAt start: Int = 0) -> PickleScan {
        var result = PickleScan(imports: [], pickles: 0, problem: nil)
        var offset = start
        while offset < bytes.count {
            let (end, problem) = scanOne(bytes, at: offset, into: &result.imports)
            if let problem {
                // Bytes after at least one complete pickle that do not parse are data (a legacy
                // PyTorch file's storages, a joblib array payload): report only a truly broken start.
                if result.pickles == 0 || problem.offset > offset { result.problem = problem }
                return result
            }
            result.pickles += 1
            offset = end
            // Skip padding between stacked pickles (none in practice) only if it is a new pickle.
            if offset < bytes.count, !looksLikePickleStart(bytes[offset]) { return result }
        }
        return result
    }

    public static func scan(_ bytes: [UInt8]) -> PickleScan {
        bytes.withUnsafeBytes { scan($0) }
    }

    static func looksLikePickleStart(_ byte: UInt8) -> Bool {
        byte == 0x80 || byte == UInt8(ascii: "(") || byte == UInt8(ascii: "c") || byte == UInt8(ascii: "}")
            || byte == UInt8(ascii: "]") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "N") || byte == UInt8(ascii: "K")
    }

    /// Walks one pickle from `start` to its STOP; returns the offset after STOP, or a problem.
    static func scanOne(_ bytes: UnsafeRawBufferPointer, at start: Int, into imports: inout [PickleImport])
        -> (Int, (offset: Int, message: String)?)
    {
        var stack: [Value] = []
        var memo: [Int: Value] = [:]
        var i = start
        let n = bytes.count

        func need(_ count: Int, _ at: Int) -> Bool { count >= 0 && at + count <= n }
        func integer(_ at: Int, _ width: Int) -> Int {
            var value = 0
            for k in stride(from: width - 1, through: 0, by: -1) { value = value << 8 | Int(bytes[at + k]) }
            return value
        }
        func line(_ at: Int) -> (String, Int)? {
            var end = at
            while end < n, bytes[end] != 0x0A {
                end += 1
                if end - at > maximumLine { return nil }
            }
            guard end < n else { return nil }
            return (String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<end]), as: UTF8.self), end + 1)
        }
        func text(_ at: Int, _ count: Int) -> Value {
            count <= 4096 ? .string(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<at + count]), as: UTF8.self)) : .other
        }
        func popToMark() -> Bool {
            while let top = stack.popLast() { if case .mark = top { return true } }
            return false
        }
        func pop(_ count: Int) { stack.removeLast(min(count, stack.count)) }

        while i < n {
            let opcodeOffset = i
            let op = bytes[i]
            i += 1
            switch op {
            case 0x2E: return (i, nil)                                   // . STOP
            case 0x28: stack.append(.mark)                               // ( MARK
            case 0x30: pop(1)                                            // 0 POP
            case 0x31: _ = popToMark()                                   // 1 POP_MARK
            case 0x32: stack.append(stack.last ?? .other)                // 2 DUP
            case 0x46, 0x49, 0x4C:                                       // F FLOAT, I INT, L LONG
                guard let (_, next) = line(i) else { return (i, (opcodeOffset, "truncated or overlong text argument")) }
                i = next; stack.append(.other)
            case 0x53, 0x56:                                             // S STRING, V UNICODE
                guard let (value, next) = line(i) else { return (i, (opcodeOffset, "truncated or overlong text argument")) }
                i = next
                var s = value
                if op == 0x53, s.count >= 2, let first = s.first, first == "'" || first == "\"", s.last == first {
                    s = String(s.dropFirst().dropLast())
                }
                stack.append(s.utf8.count <= 4096 ? .string(s) : .other)
            case 0x50:                                                   // P PERSID
                guard let (_, next) = line(i) else { return (i, (opcodeOffset, "truncated PERSID")) }
                i = next; stack.append(.other)
            case 0x51: pop(1); stack.append(.other)                      // Q BINPERSID
            case 0x4A: guard need(4, i) else { return (i, (opcodeOffset, "truncated")) }; i += 4; stack.append(.other)  // J
            case 0x4B: guard need(1, i) else { return (i, (opcodeOffset, "truncated")) }; i += 1; stack.append(.other)  // K
            case 0x4D: guard need(2, i) else { return (i, (opcodeOffset, "truncated")) }; i += 2; stack.append(.other)  // M
            case 0x47: guard need(8, i) else { return (i, (opcodeOffset, "truncated")) }; i += 8; stack.append(.other)  // G
            case 0x4E, 0x88, 0x89: stack.append(.other)                  // N NONE, NEWTRUE, NEWFALSE
            case 0x54, 0x58, 0x42:                                       // T BINSTRING, X BINUNICODE, B BINBYTES
                guard need(4, i) else { return (i, (opcodeOffset, "truncated length")) }
                let count = integer(i, 4); i += 4
                guard need(count, i) else { return (i, (opcodeOffset, "truncated data")) }
                stack.append(op == 0x42 ? .other : text(i, count)); i += count
            case 0x55, 0x8C, 0x43:                                       // U SHORT_BINSTRING, SHORT_BINUNICODE, C SHORT_BINBYTES
                guard need(1, i) else { return (i, (opcodeOffset, "truncated length")) }
                let count = Int(bytes[i]); i += 1
                guard need(count, i) else { return (i, (opcodeOffset, "truncated data")) }
                stack.append(op == 0x43 ? .other : text(i, count)); i += count
            case 0x8D, 0x8E, 0x96:                                       // BINUNICODE8, BINBYTES8, BYTEARRAY8
                guard need(8, i) else { return (i, (opcodeOffset, "truncated length")) }
                let count = integer(i, 8); i += 8
                guard count >= 0, need(count, i) else { return (i, (opcodeOffset, "truncated data")) }
                stack.append(op == 0x8D ? text(i, count) : .other); i += count
            case 0x8A:                                                   // LONG1
                guard need(1, i) else { return (i, (opcodeOffset, "truncated")) }
                let count = Int(bytes[i]); i += 1
                guard need(count, i) else { return (i, (opcodeOffset, "truncated")) }
                i += count; stack.append(.other)
            case 0x8B:                                                   // LONG4
                guard need(4, i) else { return (i, (opcodeOffset, "truncated")) }
                let count = integer(i, 4); i += 4
                guard need(count, i) else { return (i, (opcodeOffset, "truncated")) }
                i += count; stack.append(.other)
            case 0x61: pop(1)                                            // a APPEND
            case 0x62: pop(1)                                            // b BUILD (state)
            case 0x63, 0x69:                                             // c GLOBAL, i INST
                guard let (module, afterModule) = line(i), let (name, next) = line(afterModule) else {
                    return (i, (opcodeOffset, "truncated GLOBAL"))
                }
                i = next
                imports.append(PickleImport(module: module, name: name, offset: opcodeOffset, opcode: op == 0x63 ? "GLOBAL" : "INST", isDynamic: false))
                if op == 0x69 { _ = popToMark() }
                stack.append(.other)
            case 0x93:                                                   // STACK_GLOBAL
                let name = stack.popLast() ?? .other
                let module = stack.popLast() ?? .other
                if case .string(let m) = module, case .string(let s) = name {
                    imports.append(PickleImport(module: m, name: s, offset: opcodeOffset, opcode: "STACK_GLOBAL", isDynamic: false))
                } else {
                    imports.append(PickleImport(module: "", name: "(computed operands)", offset: opcodeOffset, opcode: "STACK_GLOBAL", isDynamic: true))
                }
                stack.append(.other)
            case 0x82, 0x83, 0x84:                                       // EXT1, EXT2, EXT4
                let width = op == 0x82 ? 1 : op == 0x83 ? 2 : 4
                guard need(width, i) else { return (i, (opcodeOffset, "truncated")) }
                let code = integer(i, width); i += width
                imports.append(PickleImport(module: "", name: "(extension code \(code))", offset: opcodeOffset, opcode: "EXT", isDynamic: true))
                stack.append(.other)
            case 0x64, 0x6C, 0x74, 0x91:                                 // d DICT, l LIST, t TUPLE, FROZENSET
                _ = popToMark(); stack.append(.other)
            case 0x7D, 0x5D, 0x29, 0x8F: stack.append(.other)            // EMPTY_DICT/LIST/TUPLE/SET
            case 0x65, 0x75, 0x90: _ = popToMark()                       // APPENDS, SETITEMS, ADDITEMS
            case 0x73: pop(2)                                            // s SETITEM
            case 0x85: pop(1); stack.append(.other)                      // TUPLE1
            case 0x86: pop(2); stack.append(.other)                      // TUPLE2
            case 0x87: pop(3); stack.append(.other)                      // TUPLE3
            case 0x52, 0x81: pop(2); stack.append(.other)                // R REDUCE, NEWOBJ
            case 0x92: pop(3); stack.append(.other)                      // NEWOBJ_EX
            case 0x6F: _ = popToMark(); stack.append(.other)             // o OBJ
            case 0x67:                                                   // g GET
                guard let (index, next) = line(i) else { return (i, (opcodeOffset, "truncated GET")) }
                i = next; stack.append(memo[Int(index) ?? -1] ?? .other)
            case 0x68:                                                   // h BINGET
                guard need(1, i) else { return (i, (opcodeOffset, "truncated")) }
                stack.append(memo[Int(bytes[i])] ?? .other); i += 1
            case 0x6A:                                                   // j LONG_BINGET
                guard need(4, i) else { return (i, (opcodeOffset, "truncated")) }
                stack.append(memo[integer(i, 4)] ?? .other); i += 4
            case 0x70:                                                   // p PUT
                guard let (index, next) = line(i) else { return (i, (opcodeOffset, "truncated PUT")) }
                i = next; if let key = Int(index), let top = stack.last { memo[key] = top }
            case 0x71:                                                   // q BINPUT
                guard need(1, i) else { return (i, (opcodeOffset, "truncated")) }
                if let top = stack.last { memo[Int(bytes[i])] = top }; i += 1
            case 0x72:                                                   // r LONG_BINPUT
                guard need(4, i) else { return (i, (opcodeOffset, "truncated")) }
                if let top = stack.last { memo[integer(i, 4)] = top }; i += 4
            case 0x94: if let top = stack.last { memo[memo.count] = top }  // MEMOIZE
            case 0x80:                                                   // PROTO
                guard need(1, i) else { return (i, (opcodeOffset, "truncated")) }
                guard bytes[i] <= 5 else { return (i, (opcodeOffset, "unsupported pickle protocol \(bytes[i])")) }
                i += 1
            case 0x95:                                                   // FRAME
                guard need(8, i) else { return (i, (opcodeOffset, "truncated")) }
                i += 8
            case 0x97: stack.append(.other)                              // NEXT_BUFFER
            case 0x98: break                                             // READONLY_BUFFER
            default:
                return (i, (opcodeOffset, "not a pickle opcode (0x\(String(op, radix: 16)))"))
            }
        }
        return (i, (n, "the pickle ends without STOP (truncated)"))
    }
}
