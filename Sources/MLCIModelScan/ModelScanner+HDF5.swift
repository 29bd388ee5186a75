/// Keras legacy `.h5` files: the root group's `model_config` and `training_config` attributes
/// are read with `HDF5File` and judged as `.keras` configs are (`KerasConfig`).
extension ModelScanner {
    /// Root attributes that Keras deserializes into objects (layers, losses, metrics,
    /// optimizers) when it loads the file.
    static let kerasConfigAttributes = ["model_config", "training_config"]

    /// Judges an HDF5 file. A file with `model_config` is a Keras model: its config (and
    /// `training_config`) must hold no Lambda layer and no object Keras does not define. A file
    /// without one is safe only as a Keras weights file (a `layer_names` attribute, or a
    /// `.weights.h5` name): Keras loads such a file only into an architecture built by the
    /// caller's own code (`load_weights`), reading numeric arrays by name, so nothing in it
    /// runs. Any other HDF5 file is a finding — mlci does not read datasets, and other loaders
    /// (PyTables, pandas' `HDFStore`) unpickle objects stored in them. A non-empty user block
    /// (bytes before the superblock, which another loader may read as a pickle) is a finding,
    /// and so is anything the reader cannot read completely.
    func scanHDF5(_ bytes: UnsafeRawBufferPointer, superblock: Int, source: String, into context: inout Context) {
        context.result.scanned.append(source)
        if superblock > 0, bytes[..<superblock].contains(where: { $0 != 0 }) {
            context.add(.malformed, source, 0, nil,
                        "\(source): the \(superblock)-byte user block before the HDF5 superblock is not empty: another loader could read it (a pickle, a zip), so the file is not safe")
        }
        let attributes: [HDF5Attribute]
        do {
            attributes = try HDF5File(bytes).rootAttributes()
        } catch {
            context.add(.malformed, source, error.offset, nil,
                        "\(source): HDF5: \(error.message) (at byte \(error.offset)); the file cannot be read completely, so it is not safe")
            return
        }
        var seen: Set<String> = []
        for attribute in attributes where !seen.insert(attribute.name).inserted {
            context.add(.malformed, source, attribute.offset, nil,
                        "\(source): the root group has two attributes named '\(attribute.name)': which one a loader sees is not defined")
        }
        let byName = Dictionary(attributes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in Self.kerasConfigAttributes {
            guard let attribute = byName[name] else { continue }
            let member = "\(source):\(name)"
            guard case .string(let text) = attribute.value else {
                if case .other(let description) = attribute.value {
                    context.add(.malformed, member, attribute.offset, nil, "\(member): the attribute is not a single string (\(description)), so it cannot be judged")
                }
                continue
            }
            context.result.scanned.append(member)
            for problem in KerasConfig.problems(text) {
                context.add(problem.callable == nil ? .malformed : .unsafeLayer, member, attribute.offset, problem.callable, "\(member): \(problem.message)")
            }
        }
        if byName["model_config"] != nil {
            context.result.format = "keras-h5"
        } else if byName["layer_names"] != nil || byName["layer_names0"] != nil || source.lowercased().hasSuffix(".weights.h5") {
            context.result.format = "keras-h5-weights"
        } else {
            context.add(.malformed, source, 0, nil,
                        "\(source) is an HDF5 file that is neither a Keras model (no model_config attribute) nor a Keras weights file (no layer_names): mlci does not read its datasets, and other loaders (PyTables, pandas) unpickle objects stored there; waive the file in mlci.yaml if you trust it")
        }
        // A zip after the HDF5 data (zipfile finds it from the end) is read too.
        if ZipArchive.hasEndRecord(bytes), (try? ZipArchive(bytes)) != nil {
            context.add(.malformed, source, nil, nil, "\(source) also holds a zip archive (zipfile opens it)")
            scanZip(bytes, source: source, depth: 0, into: &context)
        }
    }
}
