import Testing
@testable import MLCIDeploy

@Suite struct QuotedTextTests {
    @Test func quotesCannotEndTheirLineOrScalar() {
        #expect(QuotedText.quote("plain") == #""plain""#)
        #expect(QuotedText.quote("a \"b\" \\ c") == #""a \"b\" \\ c""#)
        #expect(QuotedText.quote("line\nbreak: {{x}} &a *a") == #""line\nbreak: {{x}} &a *a""#)
        #expect(QuotedText.quote("\u{85}\u{2028}\u{7}") == #""\u0085\u2028\u0007""#)
    }
}
