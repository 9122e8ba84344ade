import FoundationEssentials

/// Tries credentials in order and uses the first that gives a token. It moves on only when a source is
/// *unavailable* (`CredentialUnavailableError`); any other failure stops the chain, because that source was
/// meant to work. Once a source has succeeded, later calls go straight to it.
public final class ChainedTokenCredential: TokenCredential, @unchecked Sendable {
    /// The sources, in order.
    public let sources: [any TokenCredential]
    private let lock = Lock()
    private var chosen: Int?

    /// Creates the chain.
    public init(sources: [any TokenCredential]) { self.sources = sources }

    public var name: String { "ChainedTokenCredential" }

    /// The name of the source that last gave a token, if any.
    public var selectedSource: String? { lock.withLock { chosen.map { sources[$0].name } } }

    public func getToken(scope: String) async throws -> AccessToken {
        if let index = lock.withLock({ chosen }) { return try await sources[index].getToken(scope: scope) }
        var attempts: [ChainedCredentialError.Attempt] = []
        for (index, source) in sources.enumerated() {
            do {
                let token = try await source.getToken(scope: scope)
                lock.withLock { chosen = index }
                return token
            } catch let error as CredentialUnavailableError {
                attempts.append(.init(credential: source.name, outcome: .unavailable, message: error.message, remedy: error.remedy))
            } catch {
                let remedy = (error as? any APIMTokenError)?.remedy
                attempts.append(.init(credential: source.name, outcome: .failed, message: String(describing: error), remedy: remedy))
                throw ChainedCredentialError(attempts: attempts, stopped: true)
            }
        }
        throw ChainedCredentialError(attempts: attempts, stopped: false)
    }
}

// MARK: - ChainedCredentialError

/// No credential in the chain gave a token; lists every attempt.
public struct ChainedCredentialError: APIMTokenError {
    /// One source's outcome.
    public struct Attempt: Sendable, Equatable {
        /// Unavailable (skipped) or failed (stopped the chain).
        public enum Outcome: String, Sendable { case unavailable, failed }
        /// The credential's name.
        public var credential: String
        public var outcome: Outcome
        /// Why.
        public var message: String
        /// What to do, if known.
        public var remedy: String?
    }

    /// Every attempt, in order.
    public var attempts: [Attempt]
    /// Whether a source failed (as opposed to every source being unavailable).
    public var stopped: Bool

    public var exitStatus: ExitStatus { .azureAuthentication }

    public var description: String {
        let head =
            stopped
            ? "Azure login (auto) failed:"
            : "Azure login (auto) found no usable credential:"
        return ([head] + attempts.map { "  - \($0.credential): \($0.outcome.rawValue): \($0.message)" }).joined(separator: "\n")
    }

    public var remedy: String? {
        if stopped { return attempts.last?.remedy }
        return
            "set up one of: workload identity (pod label azure.workload.identity/use: \"true\"), a service principal (--client-id, --client-secret or --client-certificate, --tenant), a managed identity, or az login; or choose one with --login-method"
    }
}

// MARK: - UnavailableCredential

/// A placeholder chain source that is always unavailable, so that a skipped source still shows in the error.
public struct UnavailableCredential: TokenCredential {
    /// The name of the credential it stands for.
    public let name: String
    /// Why it is unavailable.
    public let error: CredentialUnavailableError

    /// Creates the placeholder.
    public init(_ error: CredentialUnavailableError) {
        self.name = error.credential
        self.error = error
    }

    public func getToken(scope: String) async throws -> AccessToken { throw error }
}
