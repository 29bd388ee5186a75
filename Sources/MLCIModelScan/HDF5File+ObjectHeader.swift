/// Object headers (v1 and v2, with continuation chunks) and the attribute messages in them.
extension HDF5File {
    /// One header message: its type, flags and body (absolute range).
    struct Message {
        var type: Int
        var flags: Int
        var body: Range<Int>
    }

    /// Every attribute of the root group, compact (attribute messages) and dense (fractal heap).
    func rootAttributes() throws(HDF5Error) -> [HDF5Attribute] {
        var attributes: [HDF5Attribute] = []
        for message in try messages(at: rootHeader) {
            switch message.type {
            case 0x000C:
                if message.flags & 0x02 != 0 {
                    throw HDF5Error(message: "an attribute is stored as a shared message (a shared-message table), which mlci does not read", offset: message.body.lowerBound)
                }
                attributes.append(try attribute(in: message.body))
            case 0x0015:
                attributes += try denseAttributes(info: message.body)
            default:
                break
            }
        }
        return attributes
    }

    /// The messages of the object header at `address`, continuation chunks followed (each once).
    func messages(at address: Int) throws(HDF5Error) -> [Message] {
        guard address + 4 <= limit else { throw HDF5Error(message: "an object header address is beyond the end of the file", offset: address) }
        if bytes[address] == UInt8(ascii: "O"), bytes[address + 1] == UInt8(ascii: "H") {
            return try messagesV2(at: address)
        }
        return try messagesV1(at: address)
    }

    private func messagesV1(at address: Int) throws(HDF5Error) -> [Message] {
        var c = Cursor(self, at: address)
        let version = try c.u8()
        guard version == 1 else { throw HDF5Error(message: "object header version \(version) is not one mlci reads (1, 2)", offset: address) }
        try c.skip(1)
        let declared = Int(try c.uint(2))
        try c.skip(4)  // reference count
        let size = Int(try c.uint(4))
        try c.skip(4)  // alignment of the first message to 8 bytes
        var chunks: [(start: Int, size: Int)] = [(c.position, size)]
        var seen: Set<Int> = [c.position]
        var found: [Message] = []
        var index = 0
        while index < chunks.count {
            let chunk = chunks[index]
            index += 1
            var m = Cursor(self, at: chunk.start, end: chunk.start + chunk.size)
            guard chunk.start + chunk.size <= limit else { throw HDF5Error(message: "an object header chunk runs past the end of the file", offset: chunk.start) }
            while m.remaining > 0 {
                try step(at: m.position)
                let type = Int(try m.uint(2))
                let length = Int(try m.uint(2))
                let flags = try m.u8()
                try m.skip(3)
                let body = m.position..<(m.position + length)
                try m.skip(length)
                found.append(Message(type: type, flags: flags, body: body))
                if type == 0x0010 { try continuation(body, seen: &seen, into: &chunks) }
            }
        }
        guard found.count == declared else {
            throw HDF5Error(message: "the object header declares \(declared) messages but holds \(found.count)", offset: address)
        }
        return found
    }

    private func messagesV2(at address: Int) throws(HDF5Error) -> [Message] {
        var c = Cursor(self, at: address)
        try c.signature("OHDR", what: "object header")
        let version = try c.u8()
        guard version == 2 else { throw HDF5Error(message: "object header version \(version) is not one mlci reads (1, 2)", offset: address + 4) }
        let flags = try c.u8()
        guard flags & 0xC0 == 0 else { throw HDF5Error(message: "unknown object header flags \(flags)", offset: address + 5) }
        if flags & 0x20 != 0 { try c.skip(16) }  // access, modification, change, birth times
        if flags & 0x10 != 0 { try c.skip(4) }   // attribute storage phase change values
        let size = try c.int(1 << (flags & 0x03))
        let tracked = flags & 0x04 != 0
        var chunks: [(start: Int, size: Int)] = [(c.position, size)]
        var seen: Set<Int> = [address]
        var found: [Message] = []
        var index = 0
        while index < chunks.count {
            let chunk = chunks[index]
            var start = chunk.start, end = chunk.start + chunk.size
            if index == 0 {
                try verifyChecksum(from: address, to: end, what: "object header")
            } else {
                // A continuation chunk: "OCHK", messages, checksum; its length counts all three.
                try expectSignature("OCHK", at: chunk.start, what: "object header continuation")
                guard chunk.size >= 8 else { throw HDF5Error(message: "an object header continuation chunk is too small", offset: chunk.start) }
                start = chunk.start + 4
                end = chunk.start + chunk.size - 4
                try verifyChecksum(from: chunk.start, to: end, what: "object header continuation")
            }
            index += 1
            var m = Cursor(self, at: start, end: end)
            let headerSize = tracked ? 6 : 4
            while m.remaining >= headerSize {
                try step(at: m.position)
                let type = try m.u8()
                let length = Int(try m.uint(2))
                let messageFlags = try m.u8()
                if tracked { try m.skip(2) }
                let body = m.position..<(m.position + length)
                try m.skip(length)
                found.append(Message(type: type, flags: messageFlags, body: body))
                if type == 0x0010 { try continuation(body, seen: &seen, into: &chunks) }
            }
        }
        return found
    }

    /// Queues the chunk a continuation message points to; a chunk seen before is a cycle.
    private func continuation(_ body: Range<Int>, seen: inout Set<Int>, into chunks: inout [(start: Int, size: Int)]) throws(HDF5Error) {
        var c = Cursor(self, at: body.lowerBound, end: body.upperBound)
        guard let start = try c.address() else { throw HDF5Error(message: "a continuation message points nowhere", offset: body.lowerBound) }
        let size = try c.length()
        guard size <= limit - start else { throw HDF5Error(message: "a continuation chunk runs past the end of the file", offset: body.lowerBound) }
        guard seen.insert(start).inserted else {
            throw HDF5Error(message: "the object header's continuation chain loops back to byte \(start)", offset: body.lowerBound)
        }
        chunks.append((start, size))
    }

    // MARK: - Attribute messages

    /// Decodes the attribute message (v1–v3) in `body`.
    func attribute(in body: Range<Int>) throws(HDF5Error) -> HDF5Attribute {
        var c = Cursor(self, at: body.lowerBound, end: body.upperBound)
        let version = try c.u8()
        guard (1...3).contains(version) else { throw HDF5Error(message: "attribute message version \(version) is not one mlci reads (1-3)", offset: body.lowerBound) }
        let flags = try c.u8()
        if version == 1 { guard flags == 0 else { throw HDF5Error(message: "a v1 attribute message with flags", offset: body.lowerBound + 1) } }
        guard flags & 0x03 == 0 else {
            throw HDF5Error(message: "an attribute's datatype or dataspace is shared (stored elsewhere), which mlci does not read", offset: body.lowerBound + 1)
        }
        guard flags == 0 else { throw HDF5Error(message: "unknown attribute message flags \(flags)", offset: body.lowerBound + 1) }
        let nameSize = Int(try c.uint(2))
        let typeSize = Int(try c.uint(2))
        let spaceSize = Int(try c.uint(2))
        if version == 3 { try c.skip(1) }  // name character set
        let pad = { (n: Int) in version == 1 ? (n + 7) & ~7 : n }
        guard nameSize >= 1 else { throw HDF5Error(message: "an attribute without a name", offset: c.position) }
        let nameStart = c.position
        try c.skip(pad(nameSize))
        // libhdf5 reads the name as a C string of at most nameSize - 1 bytes.
        var nameBytes: [UInt8] = []
        for i in nameStart..<(nameStart + nameSize - 1) {
            if bytes[i] == 0 { break }
            nameBytes.append(bytes[i])
        }
        let name = String(decoding: nameBytes, as: UTF8.self)
        let typeStart = c.position
        try c.skip(pad(typeSize))
        let type = try datatype(typeStart..<(typeStart + typeSize))
        let spaceStart = c.position
        try c.skip(pad(spaceSize))
        let count = try elements(spaceStart..<(spaceStart + spaceSize))
        let (total, overflow) = count.multipliedReportingOverflow(by: type.size)
        guard !overflow, total <= c.remaining else {
            throw HDF5Error(message: "attribute '\(name)' holds \(count) elements of \(type.size) bytes but its message has \(c.remaining) bytes of data", offset: c.position)
        }
        let data = c.position..<(c.position + total)
        var value = HDF5Attribute.Value.other("class \(type.typeClass), \(count) element(s)")
        if count == 1 {
            if type.typeClass == 3 {
                value = .string(Self.trimmed(Array(bytes[data])))
            } else if type.typeClass == 9, type.isString {
                value = .string(Self.trimmed(try variableString(data)))
            }
        }
        return HDF5Attribute(name: name, value: value, offset: body.lowerBound)
    }

    /// A fixed-length string without its trailing NUL padding. Embedded NULs stay (the JSON
    /// parse then fails: mlci never sees less than the loader does).
    static func trimmed(_ text: [UInt8]) -> [UInt8] {
        var end = text.count
        while end > 0, text[end - 1] == 0 { end -= 1 }
        return Array(text[..<end])
    }

    struct Datatype {
        var typeClass: Int
        var size: Int
        /// A variable-length string (class 9, type 1).
        var isString: Bool
    }

    /// Decodes a datatype message with the checks libhdf5 applies to the classes it can hold
    /// here (integers, floats, fixed and variable-length strings, bitfields, opaque); other
    /// classes (compound, reference, enum, array) are not read, and are refused.
    func datatype(_ range: Range<Int>, depth: Int = 0) throws(HDF5Error) -> Datatype {
        var c = Cursor(self, at: range.lowerBound, end: range.upperBound)
        let classAndVersion = try c.u8()
        let bits = Int(try c.uint(3))
        let size = Int(try c.uint(4))
        let typeClass = classAndVersion & 0x0F
        let at = range.lowerBound
        guard (1...5).contains(classAndVersion >> 4) else {
            throw HDF5Error(message: "datatype version \(classAndVersion >> 4) is not one libhdf5 writes", offset: at)
        }
        guard size > 0 else { throw HDF5Error(message: "a datatype of size 0", offset: at) }
        func atomic(_ offsetBits: Int, _ precision: Int) throws(HDF5Error) {
            guard precision > 0, offsetBits < 8 * size, offsetBits + precision <= 8 * size else {
                throw HDF5Error(message: "a numeric datatype whose bit offset \(offsetBits) and precision \(precision) do not fit its \(size) bytes", offset: at)
            }
            // libhdf5 (1.14.4+) refuses numbers with more unused bits than used ones.
            guard size == 1 || 8 * size <= 2 * (precision + 1) else {
                throw HDF5Error(message: "a numeric datatype of \(size) bytes with only \(precision) bits used (libhdf5 refuses it as corrupted)", offset: at)
            }
        }
        switch typeClass {
        case 0, 4:  // fixed-point, bitfield
            try atomic(Int(try c.uint(2)), Int(try c.uint(2)))
        case 1:  // floating point
            let offsetBits = Int(try c.uint(2)), precision = Int(try c.uint(2))
            try atomic(offsetBits, precision)
            let exponentAt = try c.u8(), exponentSize = try c.u8(), mantissaAt = try c.u8(), mantissaSize = try c.u8()
            let bias = Int64(try c.uint(4))
            let sign = (bits >> 8) & 0xFF
            guard (bits >> 4) & 0x03 != 3, exponentSize > 0, mantissaSize > 0, exponentAt + exponentSize <= precision,
                  mantissaAt + mantissaSize <= precision, sign < precision else {
                throw HDF5Error(message: "a floating-point datatype whose fields do not fit its precision", offset: at)
            }
            // h5py gives a float the smallest numpy float (half, single, double, x86 long double)
            // whose size, mantissa and exponent range hold it, and refuses one none holds.
            let numpyFloats: [(size: Int, mantissa: Int, maxExponent: Int64, minExponent: Int64)] =
                [(2, 10, 16, -14), (4, 23, 128, -126), (8, 52, 1024, -1022), (16, 64, 16384, -16382)]
            guard exponentSize < 40, numpyFloats.contains(where: {
                $0.size >= size && mantissaSize <= $0.mantissa && (Int64(1) << exponentSize) - bias - 1 <= $0.maxExponent
                    && 1 - bias >= $0.minExponent
            }) else {
                throw HDF5Error(message: "a floating-point datatype (exponent \(exponentSize) bits, bias \(bias), mantissa \(mantissaSize) bits) that no numpy float holds (h5py refuses it)", offset: at)
            }
        case 3:  // fixed-length string
            guard bits & 0x0F <= 2, (bits >> 4) & 0x0F <= 1 else {
                throw HDF5Error(message: "a string datatype with an unknown padding or character set", offset: at)
            }
        case 5:  // opaque: an ASCII tag
            try c.skip(bits & 0xFF)
        case 9:  // variable-length: sequence or string, then its base type
            guard bits & 0x0F <= 1, depth < 4 else { throw HDF5Error(message: "a variable-length datatype mlci does not read", offset: at) }
            if bits & 0x0F == 1, (bits >> 4) & 0x0F > 2 || (bits >> 8) & 0x0F > 1 {
                throw HDF5Error(message: "a variable-length string with an unknown padding or character set", offset: at)
            }
            _ = try datatype(c.position..<range.upperBound, depth: depth + 1)
        default:
            throw HDF5Error(message: "an attribute of datatype class \(typeClass) (compound, reference, enum or array), which mlci does not read", offset: at)
        }
        let isString = typeClass == 9 && bits & 0x0F == 1
        if isString, size != 4 + offsetSize + 4 {
            throw HDF5Error(message: "a variable-length string element of \(size) bytes (expected \(4 + offsetSize + 4))", offset: at)
        }
        return Datatype(typeClass: typeClass, size: size, isString: isString)
    }

    /// The number of elements of the dataspace message in `range` (scalar 1, null 0).
    func elements(_ range: Range<Int>) throws(HDF5Error) -> Int {
        var c = Cursor(self, at: range.lowerBound, end: range.upperBound)
        let version = try c.u8()
        let rank = try c.u8()
        let flags = try c.u8()
        var kind = rank == 0 ? 0 : 1
        switch version {
        case 1: try c.skip(5)
        case 2: kind = try c.u8()
        default: throw HDF5Error(message: "dataspace version \(version) is not one mlci reads (1, 2)", offset: range.lowerBound)
        }
        guard rank <= 32, flags & ~0x01 == 0, kind <= 2 else {
            throw HDF5Error(message: "a dataspace with rank \(rank), flags \(flags), type \(kind) is not one mlci reads", offset: range.lowerBound)
        }
        if kind == 2 { return 0 }
        if kind == 0 { return 1 }
        var count = 1
        for _ in 0..<rank {
            let (product, overflow) = count.multipliedReportingOverflow(by: try c.length())
            guard !overflow else { throw HDF5Error(message: "a dataspace too large", offset: range.lowerBound) }
            count = product
        }
        if flags & 0x01 != 0 { try c.skip(rank * lengthSize) }  // maximum dimensions
        return count
    }

    /// The bytes of one variable-length string element: length, global heap collection, index.
    func variableString(_ data: Range<Int>) throws(HDF5Error) -> [UInt8] {
        var c = Cursor(self, at: data.lowerBound, end: data.upperBound)
        let length = Int(try c.uint(4))
        let collection = try c.address()
        let index = Int(try c.uint(4))
        guard let collection else {
            guard length == 0 else { throw HDF5Error(message: "a variable-length string of \(length) bytes with no heap", offset: data.lowerBound) }
            return []
        }
        let object = try globalHeapObject(collection: collection, index: index)
        // libhdf5 reads exactly the object: its size must be the string's length.
        guard length == object.count else {
            throw HDF5Error(message: "a variable-length string of \(length) bytes in a heap object of \(object.count) (libhdf5 refuses the mismatch)", offset: data.lowerBound)
        }
        return Array(bytes[object.lowerBound..<(object.lowerBound + length)])
    }

    /// The data of object `index` in the global heap collection at `collection`. The whole
    /// collection is decoded first, as libhdf5 does (every object must fit; a later object with
    /// the same index replaces an earlier one), and kept for the next lookup.
    func globalHeapObject(collection: Int, index: Int) throws(HDF5Error) -> Range<Int> {
        if collections[collection] == nil { collections[collection] = try globalHeapCollection(at: collection) }
        guard index > 0, let object = collections[collection]?[index] else {
            throw HDF5Error(message: "object \(index) is not in the global heap collection at byte \(collection)", offset: collection)
        }
        return object
    }

    private func globalHeapCollection(at collection: Int) throws(HDF5Error) -> [Int: Range<Int>] {
        var c = Cursor(self, at: collection)
        try c.signature("GCOL", what: "global heap collection")
        let version = try c.u8()
        guard version == 1 else { throw HDF5Error(message: "global heap version \(version) is not one mlci reads (1)", offset: collection + 4) }
        try c.skip(3)
        let size = try c.length()
        guard size >= 8 + lengthSize, size <= limit - collection else {
            throw HDF5Error(message: "a global heap collection of \(size) bytes does not fit the file", offset: collection)
        }
        c.end = collection + size
        let objectHeader = 8 + lengthSize
        var objects: [Int: Range<Int>] = [:]
        while c.remaining > 0 {
            try step(at: c.position)
            if c.remaining < objectHeader { break }  // too small for an object: free space
            let begin = c.position
            let objectIndex = Int(try c.uint(2))
            try c.skip(6)  // reference count, reserved
            let objectSize = try c.length()
            // An object takes its header and its data padded to 8 bytes; the free space (index 0)
            // takes its size, header included.
            let (padded, overflow) = objectSize.addingReportingOverflow((8 - objectSize % 8) % 8)
            let need = objectIndex > 0 ? (overflow ? Int.max : padded.addingReportingOverflow(objectHeader).partialValue) : objectSize
            guard need > 0, !overflow, need <= c.end - begin else {
                throw HDF5Error(message: "global heap object \(objectIndex) of \(objectSize) bytes runs past the end of its collection", offset: begin)
            }
            if objectIndex > 0 { objects[objectIndex] = (begin + objectHeader)..<(begin + objectHeader + objectSize) }
            c.position = begin + need
        }
        return objects
    }
}
