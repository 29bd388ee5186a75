import MLCISupport

/// A Keras model config (`config.json` of a `.keras` zip, the `model_config` of an `.h5` file),
/// parsed as JSON and walked: every object with a `class_name` is a serialized Keras object. A
/// `Lambda` layer (marshalled Python bytecode) or an object Keras does not define itself (a
/// `module` outside `keras`, a custom `registered_name`, an unknown class without a module)
/// runs code the model file brings. Stateless; safe from any thread.
enum KerasConfig {
    /// Layers whose config carries Python code.
    static let codeLayers: Set<String> = ["Lambda", "TFOpLambda", "SlicingOpLambda"]

    /// Keras 2 class names (configs without a `module` key) that Keras itself defines.
    static let builtinClasses: Set<String> = [
        "Sequential", "Functional", "Model", "InputLayer", "Dense", "Dropout", "Flatten", "Reshape", "Activation",
        "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "SeparableConv1D",
        "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
        "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
        "GlobalMaxPooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
        "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization", "Normalization",
        "Embedding", "LSTM", "GRU", "SimpleRNN", "Bidirectional", "TimeDistributed", "RNN", "LSTMCell", "GRUCell",
        "SimpleRNNCell", "StackedRNNCells", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Attention", "AdditiveAttention",
        "MultiHeadAttention", "GroupQueryAttention", "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum",
        "Minimum", "Dot", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
        "UpSampling1D", "UpSampling2D", "UpSampling3D", "RepeatVector", "Permute", "Masking", "SpatialDropout1D",
        "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ReLU", "LeakyReLU",
        "PReLU", "ELU", "Softmax", "ThresholdedReLU", "Rescaling", "Resizing", "CenterCrop", "RandomFlip",
        "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomCrop", "Discretization",
        "CategoryEncoding", "Hashing", "StringLookup", "IntegerLookup", "TextVectorization", "Identity", "EinsumDense",
        "ActivityRegularization", "Wrapper",
        // initializers, regularizers, constraints, optimizers, losses, metrics, dtype policies
        "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Zeros", "Ones",
        "Constant", "RandomUniform", "RandomNormal", "TruncatedNormal", "Orthogonal", "VarianceScaling",
        "IdentityInitializer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "MaxNorm", "MinMaxNorm", "NonNeg",
        "UnitNorm", "RadialConstraint", "Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam",
        "Ftrl", "Lion", "DTypePolicy", "Policy", "FloatDTypePolicy", "__tuple__", "__keras_tensor__",
        // losses, metrics and learning-rate schedules (a `.h5` file's training_config names them)
        "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
        "CosineSimilarity", "Huber", "LogCosh", "BinaryCrossentropy", "BinaryFocalCrossentropy",
        "CategoricalCrossentropy", "CategoricalFocalCrossentropy", "SparseCategoricalCrossentropy", "Hinge",
        "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson", "MeanMetricWrapper", "Accuracy",
        "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
        "SparseTopKCategoricalAccuracy", "AUC", "Precision", "Recall", "Mean", "Sum", "RootMeanSquaredError",
        "LogCoshError", "MeanIoU", "IoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU", "F1Score", "FBetaScore",
        "R2Score", "TruePositives", "TrueNegatives", "FalsePositives", "FalseNegatives", "PrecisionAtRecall",
        "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity", "ExponentialDecay",
        "PiecewiseConstantDecay", "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts",
    ]

    /// What is wrong with the config: each Lambda or unknown object (with the Keras class it
    /// names), or why it cannot be read.
    static func problems(_ bytes: [UInt8]) -> [(message: String, callable: String?)] {
        let root: JSONValue
        do {
            root = try JSONParser().parse(bytes)
        } catch {
            return [("the model config is not JSON (\(error))", nil)]
        }
        var found: [(message: String, callable: String?)] = []
        walk(root, path: "", into: &found)
        return found
    }

    static func walk(_ value: JSONValue, path: String, into found: inout [(message: String, callable: String?)]) {
        switch value {
        case .array(let items):
            for (index, item) in items.enumerated() { walk(item, path: "\(path)[\(index)]", into: &found) }
        case .object(let members):
            if let className = value["class_name"] {
                let name = className.stringValue ?? "?"
                let where_ = path.isEmpty ? "the top level" : path
                if codeLayers.contains(name) {
                    found.append(("a Keras \(name) layer at \(where_) holds serialized Python code that runs when the model is loaded", "keras.layers.\(name)"))
                } else if let module = value["module"] {
                    let text = module.stringValue ?? ""
                    if !(text == "keras" || text.hasPrefix("keras.")) {
                        found.append(("'\(name)' at \(where_) comes from module '\(text)', not from Keras: custom code runs when the model is loaded", "\(text).\(name)"))
                    } else if let registered = value["registered_name"]?.stringValue, registered != name, registered.contains(">") {
                        found.append(("'\(name)' at \(where_) is registered as custom object '\(registered)'", registered))
                    }
                } else if !builtinClasses.contains(name) {
                    found.append(("'\(name)' at \(where_) is not a layer or object Keras defines: custom code runs when the model is loaded", name))
                }
            }
            for (key, member) in members { walk(member, path: path.isEmpty ? key : "\(path).\(key)", into: &found) }
        default:
            break
        }
    }
}
