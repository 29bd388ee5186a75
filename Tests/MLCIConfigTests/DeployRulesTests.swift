import Testing
@testable import MLCIConfig

@Suite struct DeployRulesTests {
    @Test func imageReferencesFollowTheDistributionGrammar() {
        for ok in ["python:3.12-slim", "registry.example.com:5000/ml/churn:1.0", "ghcr.io/o/r@sha256:" + String(repeating: "a", count: 64),
                   "python:3.12-slim@sha256:" + String(repeating: "0", count: 64), "library/python"] {
            #expect(StringRule.imageReference.accepts(ok), "\(ok)")
        }
        for bad in ["Python:3", "python:3 slim", "python:", "python@sha256:abc", "-python", "registry/Churn", "a//b", "python:3\nFROM x"] {
            #expect(!StringRule.imageReference.accepts(bad), "\(bad)")
        }
        #expect(StringRule.imageRepository.accepts("registry.example.com/ml/churn-model"))
        #expect(!StringRule.imageRepository.accepts("registry.example.com/ml/churn-model:latest"))
    }

    @Test func plainPathsKeepDockerfilesAndIgnoreFilesSafe() {
        #expect(StringRule.plainPath.accepts("models/model v2.npz"))
        for bad in ["models/*.npz", "!models", "#x", "models/$HOME", "a\nb", "../x", "/abs", "a/[b]", "a\\b"] {
            #expect(!StringRule.plainPath.accepts(bad), "\(bad)")
        }
    }

    @Test func probePathsAndWordsRefuseWhatWouldEscapeTheirContext() {
        #expect(StringRule.httpPath.accepts("/v2/health_check"))
        #expect(!StringRule.httpPath.accepts("/h'); import os"))
        #expect(!StringRule.httpPath.accepts("health"))
        #expect(StringRule.word.accepts("print('{{ x }}')"))
        #expect(!StringRule.word.accepts("a\nb"))
        #expect(!StringRule.word.accepts("a\u{7f}"))
    }

    @Test func quantitiesCompareInBaseUnits() {
        #expect(Quantity.value("500m") == 0.5)
        #expect(Quantity.value("1Gi") == 1_073_741_824)
        #expect(Quantity.value("1G") == 1e9)
        #expect(Quantity.value("2") == 2)
        #expect(Quantity.value("1 GB") == nil)
    }
}
