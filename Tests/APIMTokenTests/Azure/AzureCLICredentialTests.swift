import Foundation
import Testing

@testable import APIMToken

/// Runs the credential against an `az` stand-in script put first on PATH.
@Suite struct AzureCLICredentialTests {
    static let scope = "https://management.azure.com/.default"

    /// Writes `az` into a fresh directory and returns (directory, environment with it first on PATH).
    ///
    /// The script is written by a child process, not by this one: a file this process has open for writing is
    /// inherited by children that parallel tests spawn at that moment (Foundation does not open it close-on-exec),
    /// and executing it then fails with ETXTBSY ("Text file busy"). The text goes in as an argument, not on
    /// standard input, because the runner's pipes are not close-on-exec either: concurrent writers would hold
    /// each other's stdin open and never see end of file.
    static func standIn(_ body: String) async throws -> (URL, Environment) {
        let directory = try makeTemporaryDirectory()
        let script = directory.appendingPathComponent("az")
        // The stand-in records its arguments (one per line) next to itself, then behaves as told.
        let text = """
            #!/bin/sh
            for arg in "$@"; do printf '%s\\n' "$arg"; done > "\(directory.path)/argv"
            \(body)
            """
        let written = try await POSIXProcessRunner().run(
            ProcessRequest(
                executable: "/bin/sh", arguments: ["-c", "printf '%s\\n' \"$1\" > \"$0\" && chmod 755 \"$0\"", script.path, text],
                environment: [:], timeout: .seconds(10)))
        guard written.exitStatus == 0 else { throw ConfigurationError("could not write the az stand-in") }
        let path = directory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return (directory, Environment(["PATH": path, "HOME": directory.path]))
    }

    @Test func loggedInPrefersExpiresOn() async throws {
        let (directory, environment) = try await Self.standIn(
            """
            echo '{"accessToken":"cli-token","expiresOn":"2001-01-01 00:00:00.000000","expires_on":1790003600,"subscription":"s","tenant":"t","tokenType":"Bearer"}'
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credential = AzureCLICredential(options: .init(tenantID: "tenant-1"), runner: POSIXProcessRunner(), environment: environment)
        let token = try await credential.getToken(scope: Self.scope)
        #expect(token.token.value == "cli-token")
        #expect(token.expiresOn == Date(timeIntervalSince1970: 1_790_003_600))
        let argv = try String(contentsOf: directory.appendingPathComponent("argv"), encoding: .utf8)
        #expect(
            argv.split(separator: "\n").map(String.init) == [
                "account", "get-access-token", "--resource", "https://management.azure.com", "-o", "json", "--tenant", "tenant-1",
            ])
    }

    @Test func oldOutputWithoutExpiresOnUsesLocalExpiresOn() async throws {
        let (directory, environment) = try await Self.standIn(
            """
            echo '{"accessToken":"old-cli-token","expiresOn":"2026-11-23 12:30:15.250000","subscription":"s","tenant":"t","tokenType":"Bearer"}'
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let zone = try #require(ZoneInfo(identifier: "Europe/Berlin"))
        let credential = AzureCLICredential(options: .init(timeZone: zone), runner: POSIXProcessRunner(), environment: environment)
        let token = try await credential.getToken(scope: Self.scope)
        #expect(token.token.value == "old-cli-token")
        // 12:30:15.25 in Berlin (UTC+1 in November) is 11:30:15.25 UTC.
        let expected = try #require(ISO8601DateFormatter().date(from: "2026-11-23T11:30:15Z")).addingTimeInterval(0.25)
        #expect(abs(token.expiresOn.timeIntervalSince(expected)) < 0.001)
    }

    @Test func notLoggedInSaysRunAzLogin() async throws {
        let (directory, environment) = try await Self.standIn(
            """
            echo "ERROR: Please run 'az login' to setup account." >&2
            exit 1
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credential = AzureCLICredential(runner: POSIXProcessRunner(), environment: environment)
        let error = try await #require(throws: CredentialUnavailableError.self) { try await credential.getToken(scope: Self.scope) }
        #expect(error.remedy == "run az login")
        #expect(error.exitStatus == .azureAuthentication)
    }

    @Test func otherFailuresQuoteTheFirstLineOfStderr() async throws {
        let (directory, environment) = try await Self.standIn(
            """
            echo "ERROR: AADSTS70043: The refresh token has expired" >&2
            echo "second line" >&2
            exit 2
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credential = AzureCLICredential(runner: POSIXProcessRunner(), environment: environment)
        let error = try await #require(throws: AuthenticationFailedError.self) { try await credential.getToken(scope: Self.scope) }
        #expect(error.message == "az exited with status 2: ERROR: AADSTS70043: The refresh token has expired")
    }

    @Test func aHungAzIsKilledAtTheTimeout() async throws {
        let (directory, environment) = try await Self.standIn("sleep 120")
        defer { try? FileManager.default.removeItem(at: directory) }
        let credential = AzureCLICredential(
            options: .init(timeout: .milliseconds(500)), runner: POSIXProcessRunner(), environment: environment)
        let started = ContinuousClock.now
        let error = try await #require(throws: AuthenticationFailedError.self) { try await credential.getToken(scope: Self.scope) }
        // The stand-in sleeps 120 s; finishing far sooner proves the kill (the bound is loose: CI machines are shared).
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(error.message.contains("did not finish"))
    }

    @Test func missingAzIsUnavailable() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let credential = AzureCLICredential(runner: POSIXProcessRunner(), environment: Environment(["PATH": directory.path]))
        let error = try await #require(throws: CredentialUnavailableError.self) { try await credential.getToken(scope: Self.scope) }
        #expect(error.message.contains("not found on PATH"))
    }

    @Test func garbageOutputIsNotQuoted() async throws {
        let (directory, environment) = try await Self.standIn("echo 'not json but maybe-a-token-xyz'")
        defer { try? FileManager.default.removeItem(at: directory) }
        let credential = AzureCLICredential(runner: POSIXProcessRunner(), environment: environment)
        let error = try await #require(throws: AuthenticationFailedError.self) { try await credential.getToken(scope: Self.scope) }
        #expect(!error.description.contains("maybe-a-token-xyz"))
    }

    @Test func defaultTimeoutIsTenSeconds() {
        #expect(AzureCLICredential.Options().timeout == .seconds(10))
        #expect(AzureCLICredential.Options().executable == "az")
    }
}
