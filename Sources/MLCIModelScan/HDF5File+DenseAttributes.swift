/// Dense attribute storage: the attribute info message points to a fractal heap holding the
/// encoded attribute messages and to a v2 B-tree (type 8) indexing them by name; libhdf5 finds
/// attributes through that index, so mlci reads every record of it and each heap object it names.
extension HDF5File {
    func denseAttributes(info: Range<Int>) throws(HDF5Error) -> [HDF5Attribute] {
        var c = Cursor(self, at: info.lowerBound, end: info.upperBound)
        let version = try c.u8()
        guard version == 0 else { throw HDF5Error(message: "attribute info message version \(version) is not one mlci reads (0)", offset: info.lowerBound) }
        let flags = try c.u8()
        guard flags & ~0x03 == 0 else { throw HDF5Error(message: "unknown attribute info flags \(flags)", offset: info.lowerBound + 1) }
        if flags & 0x01 != 0 { try c.skip(2) }  // maximum creation index
        let heapAddress = try c.address()
        let nameIndex = try c.address()
        guard let heapAddress else { return [] }  // no dense storage (yet)
        guard let nameIndex else { throw HDF5Error(message: "dense attribute storage without a name index", offset: info.lowerBound) }
        let heap = try FractalHeap(self, at: heapAddress)
        var attributes: [HDF5Attribute] = []
        for record in try btreeRecords(at: nameIndex, type: 8) {
            guard record.count >= heap.idLength + 1 else { throw HDF5Error(message: "an attribute name record shorter than a heap ID", offset: record.lowerBound) }
            let messageFlags = Int(bytes[record.lowerBound + heap.idLength])
            if messageFlags & 0x02 != 0 {
                throw HDF5Error(message: "a dense attribute is a shared message, which mlci does not read", offset: record.lowerBound)
            }
            let object = try heap.object(id: record.lowerBound..<(record.lowerBound + heap.idLength))
            attributes.append(try attribute(in: object))
        }
        return attributes
    }

    // MARK: - v2 B-trees

    /// The records (absolute ranges) of the v2 B-tree at `address`, which must be of `type`.
    func btreeRecords(at address: Int, type: Int) throws(HDF5Error) -> [Range<Int>] {
        var c = Cursor(self, at: address)
        try c.signature("BTHD", what: "v2 B-tree header")
        guard try c.u8() == 0 else { throw HDF5Error(message: "v2 B-tree version is not 0", offset: address + 4) }
        let treeType = try c.u8()
        guard treeType == type else { throw HDF5Error(message: "a v2 B-tree of type \(treeType) where type \(type) belongs", offset: address + 5) }
        let nodeSize = Int(try c.uint(4))
        let recordSize = Int(try c.uint(2))
        let depth = Int(try c.uint(2))
        try c.skip(2)  // split and merge percentages
        let root = try c.address()
        let rootCount = Int(try c.uint(2))
        let total = try c.length()
        try verifyChecksum(from: address, to: c.position, what: "v2 B-tree header")
        guard let root else {
            guard total == 0 else { throw HDF5Error(message: "a v2 B-tree of \(total) records without a root", offset: address) }
            return []
        }
        guard recordSize > 0, nodeSize > 10 + recordSize, nodeSize <= 1 << 24, depth <= 8 else {
            throw HDF5Error(message: "a v2 B-tree with node size \(nodeSize), record size \(recordSize), depth \(depth) is not one mlci reads", offset: address)
        }
        // The widths of the child record counts, as libhdf5 derives them (H5B2__hdr_init).
        func encodedSize(_ n: Int) -> Int { n <= 0 ? 1 : (Int.bitWidth - 1 - n.leadingZeroBitCount) / 8 + 1 }
        let leafMax = (nodeSize - 10) / recordSize
        let countSize = encodedSize(leafMax)
        var cumulative = [leafMax]
        var cumulativeSize = [0]
        for level in stride(from: 1, through: depth, by: 1) {
            let pointer = offsetSize + countSize + cumulativeSize[level - 1]
            let maximum = (nodeSize - (10 + pointer)) / (recordSize + pointer)
            guard maximum > 0 else { throw HDF5Error(message: "a v2 B-tree too deep for its node size", offset: address) }
            let (product, overflow) = (maximum + 1).multipliedReportingOverflow(by: cumulative[level - 1])
            let value = overflow || product > Int.max / 2 ? Int.max / 2 : product + maximum
            cumulative.append(value)
            cumulativeSize.append(encodedSize(value))
        }
        var records: [Range<Int>] = []
        var visited: Set<Int> = []
        func node(_ at: Int, count: Int, level: Int) throws(HDF5Error) {
            try step(at: at)
            guard visited.insert(at).inserted else { throw HDF5Error(message: "a v2 B-tree node is reached twice", offset: at) }
            var n = Cursor(self, at: at, end: at + nodeSize)
            try n.signature(level == 0 ? "BTLF" : "BTIN", what: level == 0 ? "v2 B-tree leaf" : "v2 B-tree internal node")
            guard try n.u8() == 0, try n.u8() == type else { throw HDF5Error(message: "a v2 B-tree node of another version or type", offset: at + 4) }
            let (size, overflow) = count.multipliedReportingOverflow(by: recordSize)
            guard !overflow else { throw HDF5Error(message: "a v2 B-tree node with too many records", offset: at) }
            let first = n.position
            try n.skip(size)
            var children: [(address: Int, count: Int)] = []
            if level > 0 {
                for _ in 0...count {
                    guard let child = try n.address() else { throw HDF5Error(message: "a v2 B-tree child pointer points nowhere", offset: n.position - offsetSize) }
                    let childCount = try n.int(countSize)
                    if level > 1 { try n.skip(cumulativeSize[level - 1]) }
                    children.append((child, childCount))
                }
            }
            try verifyChecksum(from: at, to: n.position, what: "v2 B-tree node")
            // In key order: child 0, record 0, child 1, record 1, …
            for index in 0...count {
                if level > 0 { try node(children[index].address, count: children[index].count, level: level - 1) }
                if index < count { records.append((first + index * recordSize)..<(first + (index + 1) * recordSize)) }
            }
        }
        try node(root, count: rootCount, level: depth)
        guard records.count == total else {
            throw HDF5Error(message: "the v2 B-tree declares \(total) records but holds \(records.count)", offset: address)
        }
        return records
    }

    // MARK: - Fractal heaps

    /// A fractal heap header, and the lookup of heap IDs in it.
    struct FractalHeap {
        let file: HDF5File
        let address: Int
        let idLength: Int
        let checksummedBlocks: Bool
        let hugeTree: Int?
        let tableWidth: Int
        let startBlockSize: Int
        let maxDirectSize: Int
        let rootAddress: Int?
        let rootRows: Int
        /// Bytes of the offset and length fields of managed heap IDs.
        let offsetBytes: Int
        let lengthBytes: Int
        let maxDirectRows: Int

        init(_ file: HDF5File, at address: Int) throws(HDF5Error) {
            self.file = file
            self.address = address
            var c = Cursor(file, at: address)
            try c.signature("FRHP", what: "fractal heap header")
            guard try c.u8() == 0 else { throw HDF5Error(message: "fractal heap version is not 0", offset: address + 4) }
            idLength = Int(try c.uint(2))
            let filterLength = Int(try c.uint(2))
            let flags = try c.u8()
            let maxManaged = Int(try c.uint(4))
            _ = try c.length()  // next huge object ID
            hugeTree = try c.address()
            _ = try c.length()  // free space in managed blocks
            _ = try c.address()  // free-space manager
            for _ in 0..<8 { _ = try c.length() }  // managed space, allocated, iterator, counts and sizes
            tableWidth = Int(try c.uint(2))
            startBlockSize = try c.length()
            maxDirectSize = try c.length()
            let maxHeapBits = Int(try c.uint(2))
            _ = try c.uint(2)  // starting rows of the root indirect block
            rootAddress = try c.address()
            rootRows = Int(try c.uint(2))
            guard filterLength == 0 else {
                throw HDF5Error(message: "the fractal heap's blocks are filtered (compressed), which mlci does not read", offset: address)
            }
            try file.verifyChecksum(from: address, to: c.position, what: "fractal heap header")
            checksummedBlocks = flags & 0x02 != 0
            func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }
            guard isPowerOfTwo(tableWidth), tableWidth <= 1 << 16, isPowerOfTwo(startBlockSize), isPowerOfTwo(maxDirectSize),
                  startBlockSize <= maxDirectSize, maxDirectSize <= 1 << 30, (8...64).contains(maxHeapBits), maxManaged > 0,
                  (2...64).contains(idLength), rootRows <= 64 else {
                throw HDF5Error(message: "a fractal heap with an impossible doubling table", offset: address)
            }
            func log2(_ n: Int) -> Int { Int.bitWidth - 1 - n.leadingZeroBitCount }
            offsetBytes = (maxHeapBits + 7) / 8
            lengthBytes = min((log2(maxDirectSize) + 7) / 8, log2(maxManaged) / 8 + 1)
            maxDirectRows = log2(maxDirectSize) - log2(startBlockSize) + 2
        }

        /// The bytes (absolute range) of the object a heap ID (an absolute range) names.
        func object(id: Range<Int>) throws(HDF5Error) -> Range<Int> {
            var c = Cursor(file, at: id.lowerBound, end: id.upperBound)
            let first = try c.u8()
            guard first >> 6 == 0 else { throw HDF5Error(message: "heap ID version \(first >> 6) is not 0", offset: id.lowerBound) }
            switch (first >> 4) & 0x03 {
            case 0:
                let offset = try c.int(offsetBytes)
                let length = try c.int(lengthBytes)
                let block = try directBlock(containing: offset)
                let start = offset - block.heapOffset
                guard length > 0, length <= block.size - start else {
                    throw HDF5Error(message: "a heap object of \(length) bytes runs past its direct block", offset: id.lowerBound)
                }
                return (block.address + start)..<(block.address + start + length)
            case 1:
                return try hugeObject(id: id, cursor: &c)
            case 2:
                // Tiny: the object is inside the ID; its length - 1 in the low bits of the first byte.
                let length = idLength <= 18 ? (first & 0x0F) + 1 : ((first & 0x0F) << 8 | (try c.u8())) + 1
                try c.need(length)
                return c.position..<(c.position + length)
            default:
                throw HDF5Error(message: "heap ID of unknown type", offset: id.lowerBound)
            }
        }

        private func hugeObject(id: Range<Int>, cursor c: inout Cursor) throws(HDF5Error) -> Range<Int> {
            let start: Int, length: Int
            if idLength - 1 >= file.offsetSize + file.lengthSize {
                guard let direct = try c.address() else { throw HDF5Error(message: "a huge heap object points nowhere", offset: id.lowerBound) }
                start = direct
                length = try c.length()
            } else {
                let key = try c.uint(min(idLength - 1, 8))
                guard let hugeTree else { throw HDF5Error(message: "a huge heap object without the huge-object index", offset: id.lowerBound) }
                var match: (Int, Int)? = nil
                for record in try file.btreeRecords(at: hugeTree, type: 1) {
                    var r = Cursor(file, at: record.lowerBound, end: record.upperBound)
                    guard let address = try r.address() else { continue }
                    let size = try r.length()
                    if try r.uint(file.lengthSize) == key { match = (address, size); break }
                }
                guard let match else { throw HDF5Error(message: "huge heap object \(key) is not in its index", offset: id.lowerBound) }
                (start, length) = match
            }
            guard length > 0, length <= file.limit - start else {
                throw HDF5Error(message: "a huge heap object of \(length) bytes runs past the end of the file", offset: id.lowerBound)
            }
            return start..<(start + length)
        }

        /// The direct block holding heap offset `offset`: its address, its first heap offset, its size.
        func directBlock(containing offset: Int) throws(HDF5Error) -> (address: Int, heapOffset: Int, size: Int) {
            guard let rootAddress else { throw HDF5Error(message: "a heap object in an empty fractal heap", offset: address) }
            if rootRows == 0 {
                guard offset < startBlockSize else { throw HDF5Error(message: "heap offset \(offset) beyond the root direct block", offset: address) }
                try checkDirectBlock(at: rootAddress, heapOffset: 0, size: startBlockSize)
                return (rootAddress, 0, startBlockSize)
            }
            return try indirect(at: rootAddress, rows: rootRows, heapOffset: 0, offset: offset, depth: 0)
        }

        private func blockSize(row: Int) -> Int { row == 0 ? startBlockSize : startBlockSize << (row - 1) }

        private func indirect(at block: Int, rows: Int, heapOffset: Int, offset: Int, depth: Int) throws(HDF5Error) -> (address: Int, heapOffset: Int, size: Int) {
            try file.step(at: block)
            guard depth < 16, rows <= 64 else { throw HDF5Error(message: "fractal heap indirect blocks nested too deep", offset: block) }
            var c = Cursor(file, at: block)
            try c.signature("FHIB", what: "fractal heap indirect block")
            guard try c.u8() == 0 else { throw HDF5Error(message: "fractal heap indirect block version is not 0", offset: block + 4) }
            guard try c.address() == address else { throw HDF5Error(message: "a fractal heap indirect block of another heap", offset: block + 5) }
            guard try c.int(offsetBytes) == heapOffset else { throw HDF5Error(message: "a fractal heap indirect block at the wrong heap offset", offset: block) }
            var entries: [Int?] = []
            for _ in 0..<(rows * tableWidth) { entries.append(try c.address()) }
            try file.verifyChecksum(from: block, to: c.position, what: "fractal heap indirect block")
            // Row 0 covers [0, width × start); row r ≥ 1 covers [width × start × 2^(r-1), width × start × 2^r).
            let relative = offset - heapOffset
            let rowZero = tableWidth * startBlockSize
            var row = 0
            if relative >= rowZero {
                let quotient = relative / rowZero
                row = Int.bitWidth - quotient.leadingZeroBitCount
            }
            guard row < rows else { throw HDF5Error(message: "heap offset \(offset) beyond the fractal heap's rows", offset: block) }
            let rowStart = row == 0 ? 0 : rowZero << (row - 1)
            let size = blockSize(row: row)
            let column = (relative - rowStart) / size
            guard let child = entries[row * tableWidth + column] else {
                throw HDF5Error(message: "heap offset \(offset) is in a block that was never allocated", offset: block)
            }
            let childOffset = heapOffset + rowStart + column * size
            if row < maxDirectRows {
                try checkDirectBlock(at: child, heapOffset: childOffset, size: size)
                return (child, childOffset, size)
            }
            let firstRowBits = (Int.bitWidth - 1 - startBlockSize.leadingZeroBitCount) + (Int.bitWidth - 1 - tableWidth.leadingZeroBitCount)
            let childRows = (Int.bitWidth - 1 - size.leadingZeroBitCount) - firstRowBits + 1
            return try indirect(at: child, rows: childRows, heapOffset: childOffset, offset: offset, depth: depth + 1)
        }

        private func checkDirectBlock(at block: Int, heapOffset: Int, size: Int) throws(HDF5Error) {
            guard size <= file.limit - block else { throw HDF5Error(message: "a fractal heap direct block runs past the end of the file", offset: block) }
            var c = Cursor(file, at: block, end: block + size)
            try c.signature("FHDB", what: "fractal heap direct block")
            guard try c.u8() == 0 else { throw HDF5Error(message: "fractal heap direct block version is not 0", offset: block + 4) }
            guard try c.address() == address else { throw HDF5Error(message: "a fractal heap direct block of another heap", offset: block + 5) }
            guard try c.int(offsetBytes) == heapOffset else { throw HDF5Error(message: "a fractal heap direct block at the wrong heap offset", offset: block) }
            if checksummedBlocks, !file.verifiedBlocks.contains(block) {
                // The checksum covers the whole block with its own four bytes taken as zero.
                let at = c.position
                let stored = UInt32(try c.uint(4))
                var image = Array(file.bytes[block..<(block + size)])
                for i in 0..<4 { image[at - block + i] = 0 }
                let computed = image.withUnsafeBytes { HDF5Checksum.lookup3($0) }
                guard stored == computed else {
                    throw HDF5Error(message: "the fractal heap direct block checksum does not match (stored \(file.hex(stored)), computed \(file.hex(computed)))", offset: at)
                }
                file.verifiedBlocks.insert(block)
            }
        }
    }
}
