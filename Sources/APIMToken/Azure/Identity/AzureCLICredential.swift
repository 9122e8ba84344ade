import FoundationEssentials

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
        public var timeZone: ZoneInfo

        /// Creates options; the defaults are `az` on PATH, 10 s, the local time zone.
        public init(
            tenantID: String? = nil, timeout: Duration = .seconds(10), executable: String = "az",
            timeZone: ZoneInfo = .local()
        ) {
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
        Mirror(
            self,
            children: [
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
            let token = decoded.accessToken, !token.isEmpty
        else {
            throw AuthenticationFailedError(credential: name, message: "az printed something other than a token as JSON")
        }
        if let epoch = decoded.expires_on?.value {
            return AccessToken(token: Redacted(token), expiresOn: Date(timeIntervalSince1970: epoch))
        }
        if let local = decoded.expiresOn, let date = Self.parseLocalTime(local, zone: options.timeZone) {
            return AccessToken(token: Redacted(token), expiresOn: date)
        }
        throw AuthenticationFailedError(credential: name, message: "az printed a token without a readable expiry")
    }

    /// Parses `2026-11-23 10:15:30.123456` (or without fractional seconds) in `zone`.
    static func parseLocalTime(_ text: String, zone: ZoneInfo) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19, bytes.count <= 64 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard (48...57).contains(byte) else { return nil }
                value = value &* 10 &+ Int(byte - 48)  // wrapping: only the fraction check reads long runs
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == UInt8(ascii: "-"), let month = number(5, 2), bytes[7] == UInt8(ascii: "-"),
            let day = number(8, 2), bytes[10] == UInt8(ascii: " "), let hour = number(11, 2), bytes[13] == UInt8(ascii: ":"),
            let minute = number(14, 2), bytes[16] == UInt8(ascii: ":"), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if bytes.count > 19 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 20, number(20, bytes.count - 20) != nil else { return nil }
            var scale = 0.1
            for byte in bytes[20..<min(bytes.count, 29)] {
                fraction += Double(byte - 48) * scale
                scale /= 10
            }
        }
        let wall = CivilTime.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        // The offset in force at that wall time: a guess from the wall time itself, corrected once (exact except
        // inside a daylight-saving change, where either neighbouring offset is as good as az's own text).
        let offset = zone.offset(atUnixSeconds: wall - zone.offset(atUnixSeconds: wall))
        return Date(timeIntervalSince1970: Double(wall - offset) + fraction)
    }
}
