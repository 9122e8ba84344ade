import Foundation

/// Gets tokens from the Azure CLI: `az account get-access-token --resource <resource> -o json`, run with argv only
/// (never a shell) and a time limit. For people at a terminal who have run `az login`.
///
/// The child's environment is the user's, which may hold `AZURE_CLIENT_SECRET`, so `description` and `dump`
/// show only the options and the names of the variables.
public struct AzureCLICredential: TokenCredential, CustomStringConvertible, CustomReflectable {
    /// Settings of the credential.
    public struct Options: Sendable {
        /// A tenant to pass as `--tenant`, when set.
        public var tenantID: String?
        /// How long `az` may run.
        public var timeout: Duration
        /// The executable, looked up on `PATH` when it has no slash.
        public var executable: String
        /// The time zone of the old `expiresOn` field (local time of the machine that ran `az`).
        public var timeZone: TimeZone

        /// Creates options; the defaults are `az` on PATH, 10 s, the local time zone.
        public init(tenantID: String? = nil, timeout: Duration = .seconds(10), executable: String = "az",
                    timeZone: TimeZone = .current) {
            self.tenantID = tenantID
            self.timeout = timeout
            self.executable = executable
            self.timeZone = timeZone
        }
    }

    /// The name used in messages.
    public static let credentialName = "AzureCLICredential"

    /// The settings in use.
    public let options: Options
    private let runner: any ProcessRunner
    private let environment: Environment

    /// Creates the credential. `environment` is the child's whole environment (PATH, HOME, AZURE_CONFIG_DIR).
    public init(options: Options = Options(), runner: any ProcessRunner, environment: Environment) {
        self.options = options
        self.runner = runner
        self.environment = environment
    }

    public var name: String { Self.credentialName }

    public var description: String {
        "AzureCLICredential(executable: \(options.executable), tenant: \(options.tenantID ?? "-"), timeout: \(Int(options.timeout.seconds))s)"
    }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "executable": options.executable, "tenantID": options.tenantID as Any, "timeout": options.timeout,
            "environmentVariables": environment.values.keys.sorted(),
        ], displayStyle: .struct)
    }

    /// The arguments after `az` for `scope`.
    public func arguments(scope: String) -> [String] {
        var arguments = ["account", "get-access-token", "--resource", AzureScope.resource(for: scope), "-o", "json"]
        if let tenant = options.tenantID { arguments += ["--tenant", tenant] }
        return arguments
    }

    public func getToken(scope: String) async throws -> AccessToken {
        guard AzureScope.isValid(scope) else { throw ConfigurationError("invalid scope \"\(scope)\"") }
        if let tenant = options.tenantID, !EntraTokenClient.isValidTenant(tenant) {
            throw ConfigurationError("tenant id \"\(tenant)\" is not valid (letters, digits, '.' and '-' only)")
        }
        let request = ProcessRequest(
            executable: options.executable, arguments: arguments(scope: scope), environment: environment.values,
            input: .none, errorOutput: .capture, timeout: options.timeout)
        let result: ProcessResult
        do {
            result = try await runner.run(request)
        } catch ProcessRunnerError.notFound {
            throw CredentialUnavailableError(
                credential: name, message: "the Azure CLI (\(options.executable)) was not found on PATH",
                remedy: "install the Azure CLI and run az login, or choose another --login-method")
        } catch ProcessRunnerError.timedOut(_, let limit) {
            throw AuthenticationFailedError(
                credential: name, message: "az account get-access-token did not finish within \(Int(limit.seconds))s and was stopped",
                remedy: "run az account get-access-token yourself to see why it hangs (a prompt, a proxy)")
        } catch let error as ProcessRunnerError {
            throw AuthenticationFailedError(credential: name, message: error.description)
        }
        let stderr = String(decoding: result.standardError, as: UTF8.self)
        guard result.exitStatus == 0 else {
            if stderr.contains("az login") || stderr.contains("az account set") {
                throw CredentialUnavailableError(
                    credential: name, message: "the Azure CLI is not logged in", remedy: "run az login")
            }
            let line = stderr.split(whereSeparator: \.isNewline).first.map(String.init) ?? "no error output"
            throw AuthenticationFailedError(
                credential: name, message: "az exited with status \(result.exitStatus): \(SecretScrubber([]).scrub(line, limit: 300))")
        }
        return try parse(result.standardOutput)
    }

    /// Reads `az account get-access-token -o json` output, preferring `expires_on` (epoch seconds, az ≥ 2.54) over
    /// `expiresOn` (local time, `yyyy-MM-dd HH:mm:ss.ffffff`).
    public func parse(_ output: Data) throws -> AccessToken {
        struct Output: Decodable {
            var accessToken: String?
            var expires_on: FlexibleNumber?
            var expiresOn: String?
        }
        guard let decoded = try? JSONDecoder().decode(Output.self, from: output),
              let token = decoded.accessToken, !token.isEmpty else {
            throw AuthenticationFailedError(credential: name, message: "az printed something other than a token as JSON")
        }
        if let epoch = decoded.expires_on?.value {
            return AccessToken(token: Redacted(token), expiresOn: Date(timeIntervalSince1970: epoch))
        }
        if let local = decoded.expiresOn, let date = Self.parseLocalTime(local, timeZone: options.timeZone) {
            return AccessToken(token: Redacted(token), expiresOn: date)
        }
        throw AuthenticationFailedError(credential: name, message: "az printed a token without a readable expiry")
    }

    /// Parses `2026-11-23 10:15:30.123456` (or without fractional seconds) in `timeZone`.
    static func parseLocalTime(_ text: String, timeZone: TimeZone) -> Date? {
        // Only digits and the separators reach DateFormatter: on Linux it traps on some non-ASCII text (a combining
        // mark in the time made it fail "Incorrect range CFRange" and kill the process; found by fuzzing).
        guard !text.isEmpty, text.utf8.count <= 64,
              text.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: " ") })
        else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        let parts = text.split(separator: ".", maxSplits: 1)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        guard let whole = parts.first, let date = formatter.date(from: String(whole)) else { return nil }
        if parts.count == 2, let fraction = Double("0." + parts[1]) { return date.addingTimeInterval(fraction) }
        return date
    }
}
