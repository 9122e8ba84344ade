import Foundation
import Testing

@testable import APIMToken

@Suite struct ChainAndCacheTests {
    static let scope = "https://management.azure.com/.default"

    static func token(_ value: String, expiresIn seconds: TimeInterval, clock: ManualClock) -> AccessToken {
        AccessToken(token: Redacted(value), expiresOn: clock.now().addingTimeInterval(seconds))
    }

    // MARK: Chain

    @Test func chainSkipsUnavailableSourcesAndRemembersTheWinner() async throws {
        let clock = ManualClock()
        let first = ScriptedCredential(name: "First") { _ in throw CredentialUnavailableError(credential: "First", message: "not here") }
        let second = ScriptedCredential(name: "Second") { _ in Self.token("from-second", expiresIn: 3600, clock: clock) }
        let third = ScriptedCredential(name: "Third") { _ in Self.token("from-third", expiresIn: 3600, clock: clock) }
        let chain = ChainedTokenCredential(sources: [first, second, third])
        #expect(try await chain.getToken(scope: Self.scope).token.value == "from-second")
        #expect(try await chain.getToken(scope: Self.scope).token.value == "from-second")
        #expect(first.callCount == 1)
        #expect(second.callCount == 2)
        #expect(third.callCount == 0)
        #expect(chain.selectedSource == "Second")
    }

    @Test func chainStopsAtAFailureAndListsEveryAttempt() async throws {
        let first = ScriptedCredential(name: "First") { _ in throw CredentialUnavailableError(credential: "First", message: "variable X missing") }
        let second = ScriptedCredential(name: "Second") { _ in
            throw AuthenticationFailedError(credential: "Second", message: "bad secret", status: 401, remedy: "fix the secret")
        }
        let third = ScriptedCredential(name: "Third") { _ in throw CredentialUnavailableError(credential: "Third", message: "-") }
        let chain = ChainedTokenCredential(sources: [first, second, third])
        let error = try await #require(throws: ChainedCredentialError.self) { try await chain.getToken(scope: Self.scope) }
        #expect(error.stopped)
        #expect(error.attempts.map(\.credential) == ["First", "Second"])
        #expect(error.attempts.map(\.outcome) == [.unavailable, .failed])
        #expect(error.description.contains("variable X missing"))
        #expect(error.description.contains("bad secret"))
        #expect(error.remedy == "fix the secret")
        #expect(third.callCount == 0)
        #expect(error.exitStatus == .azureAuthentication)
    }

    @Test func chainWithNothingAvailableListsAll() async throws {
        let sources = ["A", "B", "C"].map { name in
            ScriptedCredential(name: name) { _ in throw CredentialUnavailableError(credential: name, message: "\(name) is absent") }
        }
        let error = try await #require(throws: ChainedCredentialError.self) {
            try await ChainedTokenCredential(sources: sources).getToken(scope: Self.scope)
        }
        #expect(!error.stopped)
        #expect(error.attempts.map(\.credential) == ["A", "B", "C"])
        for name in ["A", "B", "C"] { #expect(error.description.contains("\(name) is absent")) }
    }

    // MARK: Cache

    @Test func cacheRefreshesFiveMinutesBeforeExpiry() async throws {
        let clock = ManualClock()
        let source = ScriptedCredential { index in Self.token("t\(index)", expiresIn: 3600, clock: clock) }
        let cache = TokenCache(credential: source, clock: clock)
        #expect(try await cache.token(scope: Self.scope).token.value == "t0")
        clock.advance(by: 3600 - 301)
        #expect(try await cache.token(scope: Self.scope).token.value == "t0", "still more than 5 minutes left")
        clock.advance(by: 2)
        #expect(try await cache.token(scope: Self.scope).token.value == "t1", "inside the 5-minute margin")
        #expect(source.callCount == 2)
    }

    @Test func cacheKeepsScopesApartAndInvalidates() async throws {
        let clock = ManualClock()
        let source = ScriptedCredential { index in Self.token("t\(index)", expiresIn: 3600, clock: clock) }
        let cache = TokenCache(credential: source, clock: clock)
        let a = try await cache.token(scope: "https://a/.default")
        let b = try await cache.token(scope: "https://b/.default")
        #expect(a.token != b.token)
        await cache.invalidate(scope: "https://a/.default")
        #expect(try await cache.token(scope: "https://a/.default").token.value == "t2")
        #expect(try await cache.token(scope: "https://b/.default").token == b.token)
    }

    @Test func cacheFallsBackToAStillValidTokenWhenRefreshFails() async throws {
        let clock = ManualClock()
        let source = ScriptedCredential { index in
            if index == 0 { return Self.token("t0", expiresIn: 3600, clock: clock) }
            throw AuthenticationFailedError(credential: "S", message: "down")
        }
        let cache = TokenCache(credential: source, clock: clock)
        _ = try await cache.token(scope: Self.scope)
        clock.advance(by: 3500)
        #expect(try await cache.token(scope: Self.scope).token.value == "t0")
        clock.advance(by: 200)
        await #expect(throws: AuthenticationFailedError.self) { try await cache.token(scope: Self.scope) }
    }

    @Test func concurrentRequestsShareOneRefresh() async throws {
        let clock = ManualClock()
        let source = ScriptedCredential { index in
            Thread.sleep(forTimeInterval: 0.05)
            return Self.token("t\(index)", expiresIn: 3600, clock: clock)
        }
        let cache = TokenCache(credential: source, clock: clock)
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await cache.token(scope: Self.scope).token.value } }
            for try await value in group { #expect(value == "t0") }
        }
        #expect(source.callCount == 1)
    }
}
