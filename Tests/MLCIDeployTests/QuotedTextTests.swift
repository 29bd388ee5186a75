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

@Suite struct SourceURLTests {
    @Test func remotesBecomeWebAddressesWithoutCredentials() {
        #expect(SourceURL.web("https://bob:s3cret@github.com/example/churn.git") == "https://github.com/example/churn")
        #expect(SourceURL.web("git@gitlab.com:group/sub/churn.git") == "https://gitlab.com/group/sub/churn")
        #expect(SourceURL.web("ssh://git@github.com:22/example/churn.git") == "https://github.com/example/churn")
        #expect(SourceURL.web("https://ghp_token@github.com/example/churn") == "https://github.com/example/churn")
    }

    @Test func localPathsAndOddCharactersGiveNoSource() {
        #expect(SourceURL.web("/srv/git/churn.git") == nil)
        #expect(SourceURL.web("../churn") == nil)
        #expect(SourceURL.web("https://github.com/example/churn\"; rm -rf /") == nil)
        #expect(SourceURL.web("https://github.com/ex$HOME/churn") == nil)
        #expect(SourceURL.web("file:///srv/churn") == nil)
    }
}
