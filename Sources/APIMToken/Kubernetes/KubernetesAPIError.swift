import FoundationEssentials

// MARK: - MetaStatus

/// The `metav1.Status` body the API server sends with an error.
public struct MetaStatus: Codable, Sendable, Equatable {
    /// `Failure`.
    public var status: String?
    /// The server's message.
    public var message: String?
    /// `NotFound`, `Forbidden`, `Conflict`, `Invalid`, `AlreadyExists`, `TooManyRequests`, …
    public var reason: String?
    /// What the error is about.
    public var details: Details?
    /// The HTTP status again.
    public var code: Int?

    /// `metav1.StatusDetails`.
    public struct Details: Codable, Sendable, Equatable {
        /// The object's name.
        public var name: String?
        /// The API group.
        public var group: String?
        /// The kind (often the plural resource).
        public var kind: String?
        /// Field-level causes of a 422.
        public var causes: [Cause]?
        /// Seconds to wait before retrying.
        public var retryAfterSeconds: Int?
    }

    /// `metav1.StatusCause`.
    public struct Cause: Codable, Sendable, Equatable {
        /// `FieldValueInvalid`, …
        public var reason: String?
        public var message: String?
        /// The field path.
        public var field: String?
    }
}

// MARK: - KubernetesAPIError

/// An API server answer other than success, naming the verb, the resource and what to do about it (exit 5).
public struct KubernetesAPIError: APIMTokenError, Equatable {
    /// The HTTP status.
    public var statusCode: Int
    /// The verb in kubectl's terms (`get`, `list`, `patch`, `create`, `delete`).
    public var verb: String
    /// The resource (`secrets`, `deployments.apps`).
    public var resource: String
    /// The object's name, when the request named one.
    public var name: String?
    /// The namespace, when the request had one.
    public var namespace: String?
    /// The decoded Status body, if the server sent one.
    public var status: MetaStatus?
    /// The cluster's address, for messages.
    public var server: String

    /// Creates the error.
    public init(
        statusCode: Int, verb: String, resource: String, name: String?, namespace: String?, status: MetaStatus?, server: String
    ) {
        self.statusCode = statusCode
        self.verb = verb
        self.resource = resource
        self.name = name
        self.namespace = namespace
        self.status = status
        self.server = server
    }

    /// The Status reason, or one derived from the HTTP status.
    public var reason: String {
        if let reason = status?.reason, !reason.isEmpty { return reason }
        switch statusCode {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500...599: return "InternalError"
        default: return "HTTP \(statusCode)"
        }
    }

    /// Whether the object does not exist.
    public var isNotFound: Bool { statusCode == 404 }
    /// Whether a precondition (resourceVersion) or a create clashed.
    public var isConflict: Bool { statusCode == 409 }
    /// Whether the caller lacks permission.
    public var isForbidden: Bool { statusCode == 403 }

    public var exitStatus: ExitStatus { .kubernetesAPI }

    /// `cannot patch secrets "demo-token" in namespace "apim": 403 Forbidden: <server message>`.
    public var description: String {
        var target = resource
        if let name { target += " \"\(name)\"" }
        if let namespace { target += " in namespace \"\(namespace)\"" }
        var text = "cannot \(verb) \(target): \(statusCode) \(reason)"
        if let message = status?.message, !message.isEmpty { text += ": \(message)" }
        return text
    }

    public var remedy: String? {
        let scope = namespace.map { " -n \($0)" } ?? " -A"
        switch statusCode {
        case 401:
            return
                "the cluster at \(server) did not accept the credentials of the current context; refresh them (for AKS: az aks get-credentials, or kubelogin) and check with: kubectl auth whoami"
        case 403:
            let what = name.map { "\(resource)/\($0)" } ?? resource
            return "ask for '\(verb)' on \(what); check with: kubectl auth can-i \(verb) \(what)\(scope)"
        case 404:
            if name != nil {
                return "check the name and the namespace (-n/--namespace, or -A): kubectl get \(resource)\(scope)"
            }
            return "the cluster does not serve \(resource); check that the API is enabled on this cluster"
        case 409:
            return "the object changed while this ran; run the command again"
        case 422:
            let causes = (status?.details?.causes ?? []).compactMap { cause -> String? in
                guard let field = cause.field else { return cause.message }
                return "\(field): \(cause.message ?? cause.reason ?? "invalid")"
            }
            return causes.isEmpty ? "the server rejected the object as invalid" : "fix: " + causes.joined(separator: "; ")
        case 429, 500...599:
            return "the API server is overloaded or failing; try again in a minute"
        default:
            return nil
        }
    }
}

// MARK: - KubernetesConnectionError

/// The API server could not be reached or its TLS identity did not check out.
public struct KubernetesConnectionError: APIMTokenError {
    /// The transport's explanation (no secret in it).
    public var underlying: TransportError
    /// The cluster's address.
    public var server: String
    /// What was being done (`get secrets "demo-token"`).
    public var action: String

    /// Creates the error.
    public init(underlying: TransportError, server: String, action: String) {
        self.underlying = underlying
        self.server = server
        self.action = action
    }

    /// TLS material problems are configuration (exit 2); anything else is an API failure (exit 5).
    public var exitStatus: ExitStatus {
        switch underlying.kind {
        case .serverCertificate, .clientCertificate, .tlsMaterial, .configuration: .usage
        default: .kubernetesAPI
        }
    }

    public var description: String { "cannot \(action) on the Kubernetes API server \(server): \(underlying.message)" }

    public var remedy: String? {
        switch underlying.kind {
        case .connect, .timeout:
            "check that the cluster is reachable (VPN, firewall, private cluster) and that the context is right: kubectl config current-context"
        case .serverCertificate:
            "check certificate-authority(-data) and tls-server-name of the cluster in your kubeconfig"
        case .clientCertificate, .tlsMaterial:
            "check client-certificate(-data) and client-key(-data) of the user in your kubeconfig"
        default:
            nil
        }
    }
}
