import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scans model files statically for code that would run when they are loaded, and fails
/// closed: a file is safe only when every byte of it was read as its format says and every
/// global its pickles import is exactly allowlisted.
///
/// Reads every pickle stacked in a file until its end, joblib files with their inline numpy
/// arrays, zip archives (PyTorch, `.npz`, `.keras`, and zips behind a prefix) as Python's
/// `zipfile` does, numpy object arrays, joblib's zlib/gzip/bz2/xz/lzma compression and
/// `.gz`/`.bz2`/`.xz` wrappers, Keras configs (`.keras`, and legacy `.h5` files through `HDF5File`), and validates
/// safetensors and ONNX headers. Never unpickles, never imports.
///
/// Stateless apart from its settings; safe from any thread.
public struct ModelScanner: Sendable {
    public var policy: GlobalPolicy
    /// Files larger than this are a finding (`max_size_mb`); `nil` for no budget.
    public var maximumBytes: Int?
    /// The most a compressed file or a zip member may inflate to before it is a finding.
    public var maximumExpandedBytes = 4 << 30
    /// How long one file may take before it is a finding (seconds).
    public var timeBudget: Double = 600

    public init(policy: GlobalPolicy = .standard, maximumBytes: Int? = nil) {
        self.policy = policy
        self.maximumBytes = maximumBytes
    }

    /// Scans the file at `path`; `display` names it in findings. Throws only when the file
    /// cannot be opened (bad input, exit 2).
    public func scan(path: String, display: String? = nil) throws(InputError) -> ModelScanResult {
        let name = display ?? path
        let file = try MappedFile(path: path, display: name)
        return scan(bytes: file.bytes, name: name)
    }

    public func scan(bytes: UnsafeRawBufferPointer, name: String) -> ModelScanResult {
        var context = Context(name: name, deadline: PickleScanner.now() + UInt64(timeBudget * 1e9))
        context.result.size = bytes.count
        if let maximumBytes, bytes.count > maximumBytes {
            context.add(.oversized, name, nil, nil, "\(name) is \(bytes.count) bytes, over the budget of \(maximumBytes) bytes; it was not scanned")
            return context.result
        }
        scanContent(bytes, source: name, depth: 0, topLevel: true, into: &context)
        if context.result.format.isEmpty { context.result.format = "unknown" }
        return context.result
    }

    /// What one scan accumulates.
    struct Context {
        var result: ModelScanResult
        let deadline: UInt64

        init(name: String, deadline: UInt64) {
            result = ModelScanResult(path: name, format: "", size: 0, scanned: [], findings: [])
            self.deadline = deadline
        }

        mutating func add(_ kind: ModelFinding.Kind, _ source: String, _ offset: Int?, _ callable: String?, _ message: String) {
            result.findings.append(ModelFinding(kind: kind, source: source, offset: offset, callable: callable, message: message))
        }

        mutating func format(_ value: String) { if result.format.isEmpty { result.format = value } }
    }

    static func starts(_ bytes: UnsafeRawBufferPointer, _ magic: [UInt8]) -> Bool {
        bytes.count >= magic.count && zip(bytes, magic).allSatisfy { $0 == $1 }
    }

    /// Legacy (non-zip) PyTorch files start with a pickled magic number 0x1950a86a20f9469cfc6c.
    static func isLegacyTorch(_ bytes: UnsafeRawBufferPointer) -> Bool {
        starts(bytes, [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19])
    }

    func scanContent(_ bytes: UnsafeRawBufferPointer, source: String, depth: Int, topLevel: Bool, into context: inout Context) {
        let lower = source.lowercased()
        if bytes.isEmpty {
            context.format("empty")
            context.add(.malformed, source, 0, nil, "\(source) is empty: no model to read")
            return
        }
        if ZipArchive.isZip(bytes) {
            scanZip(bytes, source: source, depth: depth, into: &context)
            return
        }
        if NumpyFile.isNumpy(bytes) {
            context.format("numpy")
            scanNumpy(bytes, source: source, into: &context)
            return
        }
        if let superblock = HDF5File.superblockOffset(in: bytes) {
            context.format("hdf5")
            scanHDF5(bytes, superblock: superblock, source: source, into: &context)
            return
        }
        if let codec = Decompress.sniff(bytes), depth < 3 {
            context.format(topLevel && !lower.hasSuffix(".gz") && !lower.hasSuffix(".bz2") && !lower.hasSuffix(".xz") ? "joblib-\(codec.rawValue)" : codec.rawValue)
            let inner = "\(source)!\(codec.rawValue)"
            do {
                let expanded = try Decompress.decompress(bytes, codec: codec, limit: maximumExpandedBytes)
                context.result.scanned.append(inner)
                expanded.withUnsafeBytes { scanContent($0, source: inner, depth: depth + 1, topLevel: topLevel, into: &context) }
            } catch {
                context.add(.malformed, source, nil, nil, "\(source): \(codec.rawValue): \(error.message)")
            }
            return
        }
        if lower.hasSuffix(".safetensors") || SafeTensors.looksLike(bytes) {
            context.format("safetensors")
            context.result.scanned.append(source)
            if let problem = SafeTensors.check(bytes) {
                context.add(.malformed, source, 0, nil, "\(source): invalid safetensors header: \(problem)")
            }
            return
        }
        if lower.hasSuffix(".onnx") {
            context.format("onnx")
            context.result.scanned.append(source)
            if let problem = ONNXCheck.check(bytes) {
                context.add(.malformed, source, problem.offset, nil, "\(source): \(problem.message)")
            }
            return
        }
        if lower.hasSuffix(".keras") || lower.hasSuffix(".json"), bytes.first == UInt8(ascii: "{") {
            context.format("keras-config")
            scanKerasConfig(Array(bytes), source: source, into: &context)
            return
        }
        // Everything else is read as what it must be to run code: stacked pickles to the end.
        if Self.isLegacyTorch(bytes) {
            context.format("pytorch-legacy")
            scanLegacyTorch(bytes, source: source, into: &context)
        } else {
            context.format("pickle")
            scanPickles(bytes, source: source, joblib: topLevel, into: &context)
        }
        // A zip hidden behind the pickle (a prefix zipfile still opens) is read too.
        if ZipArchive.hasEndRecord(bytes), (try? ZipArchive(bytes)) != nil {
            context.add(.malformed, source, nil, nil, "\(source) also holds a zip archive after a prefix (zipfile opens it)")
            scanZip(bytes, source: source, depth: depth, into: &context)
        }
    }

    @discardableResult
    func scanPickles(_ bytes: UnsafeRawBufferPointer, source: String, joblib: Bool, offset base: Int = 0, maxPickles: Int? = nil,
                     into context: inout Context) -> PickleScan {
        let scan = PickleScanner.scan(bytes, joblib: joblib, deadline: context.deadline, maxPickles: maxPickles)
        if scan.joblibArrays > 0, context.result.format == "pickle" { context.result.format = "joblib" }
        context.result.scanned.append(scan.pickles == 1 ? source : "\(source) (\(scan.pickles) pickles)")
        for found in scan.imports {
            let verdict = policy.verdict(module: found.module, name: found.name)
            context.result.imports.append(ScannedImport(source: source, module: found.module, name: found.name,
                                                        offset: found.offset + base, verdict: verdict))
            let mapped = found.rawModule != found.module || found.rawName != found.name ? " (written '\(found.rawModule) \(found.rawName)', mapped at protocol \(found.proto))" : ""
            switch verdict {
            case .allowed: break
            case .unsafe:
                context.add(.unsafeGlobal, source, found.offset + base, found.qualifiedName,
                            "\(source): \(found.opcode) at byte \(found.offset + base) imports \(found.qualifiedName)\(mapped), which can run code when the file is loaded")
            case .unknown:
                context.add(.unknownGlobal, source, found.offset + base, found.qualifiedName,
                            "\(source): \(found.opcode) at byte \(found.offset + base) imports \(found.qualifiedName)\(mapped), which is not on the allowlist (add the exact name to gate.model.allow if you trust it)")
            }
        }
        for problem in scan.problems {
            if problem.isFatal {
                context.add(problem.message.contains("time budget") ? .oversized : .malformed, source, problem.offset + base, nil,
                            "\(source): \(problem.message) at byte \(problem.offset + base); the file cannot be read completely, so it is not safe")
            } else {
                context.add(.dynamicImport, source, problem.offset + base, nil, "\(source): \(problem.message) (at byte \(problem.offset + base))")
            }
        }
        return scan
    }

    func scanNumpy(_ bytes: UnsafeRawBufferPointer, source: String, into context: inout Context) {
        switch NumpyFile.header(bytes) {
        case .failure(let problem):
            context.result.scanned.append(source)
            context.add(.malformed, source, 0, nil, "\(source): \(problem)")
        case .success(let header):
            if header.isObject {
                let payload = UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset...])
                scanPickles(payload, source: source, joblib: false, offset: header.dataOffset, into: &context)
            } else {
                context.result.scanned.append(source)
                if let size = header.dataSize, bytes.count - header.dataOffset < size {
                    context.add(.malformed, source, header.dataOffset, nil, "\(source): the array data is truncated (\(bytes.count - header.dataOffset) of \(size) bytes)")
                }
            }
        }
    }

    func scanKerasConfig(_ bytes: [UInt8], source: String, into context: inout Context) {
        context.result.scanned.append(source)
        for problem in KerasConfig.problems(bytes) {
            context.add(problem.callable == nil ? .malformed : .unsafeLayer, source, nil, problem.callable, "\(source): \(problem.message)")
        }
    }

    func scanZip(_ bytes: UnsafeRawBufferPointer, source: String, depth: Int, into context: inout Context) {
        let archive: ZipArchive
        do {
            archive = try ZipArchive(bytes)
        } catch {
            context.format("zip")
            context.add(.malformed, source, nil, nil, "\(source): \(error.message)")
            return
        }
        let names = archive.members.map(\.name)
        if names.contains(where: { $0.hasSuffix("data.pkl") }) { context.format("pytorch-zip") }
        else if source.lowercased().hasSuffix(".keras") || names.contains("config.json") && names.contains("metadata.json") { context.format("keras") }
        else if names.contains(where: { $0.hasSuffix(".npy") }) { context.format("numpy-zip") }
        else { context.format("zip") }
        for anomaly in archive.anomalies {
            context.add(.malformed, source, nil, nil, "\(source): \(anomaly)")
        }
        let keras = context.result.format == "keras"
        for member in archive.members {
            let lower = member.name.lowercased()
            let memberSource = "\(source):\(member.name)"
            // Raw tensor storage (PyTorch `*/data/<key>`), weights and metadata hold no code.
            if Self.isInertMember(lower) { continue }
            let data: [UInt8]
            do {
                data = try archive.read(member, limit: maximumExpandedBytes)
            } catch {
                context.add(.malformed, memberSource, nil, nil, "\(memberSource): \(error.message)")
                continue
            }
            data.withUnsafeBytes { buffer in
                if keras && lower.hasSuffix(".json") {
                    if lower == "config.json" || lower.hasSuffix("/config.json") { scanKerasConfig(data, source: memberSource, into: &context) }
                    else { context.result.scanned.append(memberSource) }
                } else if depth < 2 {
                    scanContent(buffer, source: memberSource, depth: depth + 1, topLevel: false, into: &context)
                } else {
                    context.add(.malformed, memberSource, nil, nil, "\(memberSource): archives nested this deep are not read")
                }
            }
        }
    }

    /// Members no loader unpickles: PyTorch's raw storages and bookkeeping, Keras weights.
    static func isInertMember(_ lower: String) -> Bool {
        let components = lower.split(separator: "/")
        if components.count >= 2, components[components.count - 2] == "data", components.last!.allSatisfy(\.isNumber) { return true }
        if let last = components.last, ["version", "byteorder", ".format_version", "serialization_id", ".storage_alignment"].contains(String(last)) { return true }
        if lower.hasSuffix(".weights.h5") || lower.hasSuffix("/") { return true }
        return false
    }
}
