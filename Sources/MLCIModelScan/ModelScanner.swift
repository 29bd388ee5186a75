import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scans model files statically for code that would run when they are loaded: pickles (and
/// every pickle stacked in a file), PyTorch zip and legacy files, joblib, numpy `.npy`/`.npz`
/// with object arrays; recognises safetensors and ONNX as code-free formats and checks their
/// headers. Never unpickles, never imports.
///
/// Stateless apart from its settings; safe from any thread.
public struct ModelScanner: Sendable {
    public var policy: GlobalPolicy
    /// Files larger than this are reported (`max_size_mb`); `nil` for no budget.
    public var maximumBytes: Int?
    /// The most a single zip member may inflate to before it is refused.
    public var maximumMemberBytes = 4 << 30

    public init(policy: GlobalPolicy = .standard, maximumBytes: Int? = nil) {
        self.policy = policy
        self.maximumBytes = maximumBytes
    }

    /// Scans the file at `path`; `display` names it in findings.
    public func scan(path: String, display: String? = nil) throws(InputError) -> ModelScanResult {
        let name = display ?? path
        let file = try MappedFile(path: path, display: name)
        var result = scan(bytes: file.bytes, name: name)
        if let maximumBytes, file.bytes.count > maximumBytes {
            result.findings.insert(ModelFinding(
                kind: .oversized, severity: .error, source: name, offset: nil, callable: nil,
                message: "\(name) is \(file.bytes.count) bytes, over the budget of \(maximumBytes) bytes"), at: 0)
        }
        return result
    }

    public func scan(bytes: UnsafeRawBufferPointer, name: String) -> ModelScanResult {
        var result = ModelScanResult(path: name, format: "unknown", size: bytes.count, scanned: [], findings: [])
        let lower = name.lowercased()
        if ZipArchive.isZip(bytes) {
            scanZip(bytes, name: name, into: &result)
        } else if NumpyFile.isNumpy(bytes) {
            result.format = "numpy"
            scanNumpy(bytes, source: name, into: &result)
        } else if lower.hasSuffix(".safetensors") || SafeTensors.looksLike(bytes) {
            result.format = "safetensors"
            result.scanned.append(name)
            if let problem = SafeTensors.check(bytes) {
                result.findings.append(ModelFinding(kind: .malformed, severity: .error, source: name, offset: 0, callable: nil,
                                                    message: "\(name): invalid safetensors header: \(problem)"))
            }
        } else if lower.hasSuffix(".onnx") {
            result.format = "onnx"
            result.scanned.append(name)
            if let problem = ONNXCheck.check(bytes) {
                result.findings.append(ModelFinding(kind: .malformed, severity: .warning, source: name, offset: problem.offset, callable: nil,
                                                    message: "\(name): \(problem.message)"))
            }
        } else if bytes.count > 0, PickleScanner.looksLikePickleStart(bytes[0]) || Self.pickleExtensions.contains(where: lower.hasSuffix) {
            result.format = Self.isLegacyTorch(bytes) ? "pytorch-legacy" : (lower.hasSuffix(".joblib") ? "joblib" : "pickle")
            scanPickles(bytes, source: name, into: &result)
        } else {
            result.findings.append(ModelFinding(kind: .malformed, severity: .warning, source: name, offset: 0, callable: nil,
                                                message: "\(name) is not a model format mlci recognises (pickle, PyTorch, joblib, numpy, safetensors, ONNX); it was not scanned"))
        }
        return result
    }

    static let pickleExtensions = [".pkl", ".pickle", ".joblib", ".dill", ".dat", ".data", ".bin", ".pt", ".pth", ".ckpt"]

    /// Legacy (non-zip) PyTorch files start with a pickled magic number 0x1950a86a20f9469cfc6c.
    static func isLegacyTorch(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let magic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
        return bytes.count >= magic.count && zip(bytes.prefix(magic.count), magic).allSatisfy { $0 == $1 }
    }

    func scanPickles(_ bytes: UnsafeRawBufferPointer, source: String, into result: inout ModelScanResult) {
        let scan = PickleScanner.scan(bytes)
        result.scanned.append(scan.pickles > 1 ? "\(source) (\(scan.pickles) pickles)" : source)
        for found in scan.imports { result.findings += classify(found, source: source) }
        if let problem = scan.problem {
            result.findings.append(ModelFinding(
                kind: .malformed, severity: .warning, source: source, offset: problem.offset, callable: nil,
                message: "\(source): \(problem.message) at byte \(problem.offset); what follows was not scanned"))
        }
    }

    func classify(_ found: PickleImport, source: String) -> [ModelFinding] {
        if found.isDynamic {
            return [ModelFinding(kind: .dynamicImport, severity: .error, source: source, offset: found.offset, callable: nil,
                                 message: "\(source): \(found.opcode) at byte \(found.offset) imports \(found.name): a computed import can reach any callable")]
        }
        switch policy.verdict(module: found.module, name: found.name) {
        case .allowed: return []
        case .unsafe:
            return [ModelFinding(kind: .unsafeGlobal, severity: .error, source: source, offset: found.offset, callable: found.qualifiedName,
                                 message: "\(source): \(found.opcode) at byte \(found.offset) imports \(found.qualifiedName), which can run code when the file is loaded")]
        case .unknown:
            return [ModelFinding(kind: .unknownGlobal, severity: .warning, source: source, offset: found.offset, callable: found.qualifiedName,
                                 message: "\(source): \(found.opcode) at byte \(found.offset) imports \(found.qualifiedName), which is on neither the allow nor the deny list")]
        }
    }

    func scanNumpy(_ bytes: UnsafeRawBufferPointer, source: String, into result: inout ModelScanResult) {
        result.scanned.append(source)
        switch NumpyFile.header(bytes) {
        case .failure(let problem):
            result.findings.append(ModelFinding(kind: .malformed, severity: .warning, source: source, offset: 0, callable: nil,
                                                message: "\(source): \(problem)"))
        case .success(let header):
            guard header.isObject else { return }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset...])
            let scan = PickleScanner.scan(payload)
            for found in scan.imports {
                var shifted = found
                shifted.offset += header.dataOffset
                result.findings += classify(shifted, source: source)
            }
            if let problem = scan.problem {
                result.findings.append(ModelFinding(kind: .malformed, severity: .warning, source: source, offset: problem.offset + header.dataOffset,
                                                    callable: nil, message: "\(source): the object array's pickle: \(problem.message)"))
            }
        }
    }

    func scanZip(_ bytes: UnsafeRawBufferPointer, name: String, into result: inout ModelScanResult) {
        let archive: ZipArchive
        do {
            archive = try ZipArchive(bytes)
        } catch {
            result.format = "zip"
            result.findings.append(ModelFinding(kind: .malformed, severity: .error, source: name, offset: nil, callable: nil,
                                                message: "\(name): \(error.message)"))
            return
        }
        let names = archive.members.map(\.name)
        if names.contains(where: { $0.hasSuffix("data.pkl") }) { result.format = "pytorch-zip" }
        else if names.contains(where: { $0.hasSuffix(".npy") }) { result.format = "numpy-zip" }
        else if names.contains("config.json") && name.lowercased().hasSuffix(".keras") { result.format = "keras" }
        else { result.format = "zip" }
        for member in archive.members {
            let lower = member.name.lowercased()
            let isPickle = lower.hasSuffix(".pkl") || lower.hasSuffix(".pickle")
            let isNumpy = lower.hasSuffix(".npy")
            let isKerasConfig = result.format == "keras" && member.name == "config.json"
            guard isPickle || isNumpy || isKerasConfig else { continue }
            let source = "\(name):\(member.name)"
            let data: [UInt8]
            do {
                data = try archive.read(member, limit: maximumMemberBytes)
            } catch {
                result.findings.append(ModelFinding(kind: .malformed, severity: .error, source: source, offset: nil, callable: nil,
                                                    message: "\(source): \(error.message)"))
                continue
            }
            data.withUnsafeBytes { buffer in
                if isPickle {
                    scanPickles(buffer, source: source, into: &result)
                } else if isNumpy {
                    scanNumpy(buffer, source: source, into: &result)
                } else {
                    result.scanned.append(source)
                    let text = String(decoding: buffer, as: UTF8.self)
                    if text.contains("\"class_name\": \"Lambda\"") || text.contains("\"class_name\":\"Lambda\"") {
                        result.findings.append(ModelFinding(kind: .unsafeGlobal, severity: .error, source: source, offset: nil,
                                                            callable: "keras.layers.Lambda",
                                                            message: "\(source): a Keras Lambda layer holds serialized Python code that runs when the model is loaded"))
                    }
                }
            }
        }
    }
}

/// A file mapped read-only into memory (a 1 GiB model is not copied).
final class MappedFile {
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?

    init(path: String, display: String) throws(InputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw InputError("\(display): not a regular file") }
        let size = Int(info.st_size)
        if size == 0 {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display))
        }
        madvise(mapped, size, MADV_SEQUENTIAL)
        base = mapped
        bytes = UnsafeRawBufferPointer(start: mapped, count: size)
    }

    deinit { if let base { munmap(base, bytes.count) } }
}
