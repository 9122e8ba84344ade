import FoundationEssentials

// MARK: - AzureIdentity

/// aad-pod-identity `aadpodidentity.k8s.io/v1` AzureIdentity: a user-assigned managed identity.
public struct AzureIdentity: KubernetesObject, Equatable {
    public static let resourceType = ResourceType.azureIdentities
    /// `aadpodidentity.k8s.io/v1`.
    public var apiVersion = "aadpodidentity.k8s.io/v1"
    /// `AzureIdentity`.
    public var kind = "AzureIdentity"
    public var metadata: ObjectMeta
    /// The identity.
    public var spec: Spec

    /// `AzureIdentitySpec`.
    public struct Spec: Codable, Sendable, Equatable {
        /// `0`: user-assigned managed identity.
        public var type: Int
        /// The identity's ARM resource id.
        public var resourceID: String
        /// The identity's client id.
        public var clientID: String
    }
}

// MARK: - AzureIdentityBinding

/// aad-pod-identity `aadpodidentity.k8s.io/v1` AzureIdentityBinding: pods labelled `aadpodidbinding: <selector>`
/// get the identity.
public struct AzureIdentityBinding: KubernetesObject, Equatable {
    public static let resourceType = ResourceType.azureIdentityBindings
    /// `aadpodidentity.k8s.io/v1`.
    public var apiVersion = "aadpodidentity.k8s.io/v1"
    /// `AzureIdentityBinding`.
    public var kind = "AzureIdentityBinding"
    public var metadata: ObjectMeta
    /// The binding.
    public var spec: Spec

    /// `AzureIdentityBindingSpec`.
    public struct Spec: Codable, Sendable, Equatable {
        /// The AzureIdentity's name.
        public var azureIdentity: String
        /// The value of the pods' `aadpodidbinding` label.
        public var selector: String
    }
}

// MARK: - ServicePrincipalSecretManifest

/// `v1` Secret holding a service principal's `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` and `AZURE_TENANT_ID`.
///
/// Encoding writes `<redacted>` for every value unless the manifest was made with `revealingValues()`, which only
/// the apply path does, right before sending. Descriptions and mirrors never show a value.
public struct ServicePrincipalSecretManifest: KubernetesObject, Equatable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    public static let resourceType = ResourceType.secrets
    /// What printed output shows instead of a value.
    public static let placeholder = "<redacted>"
    /// The note printed output carries.
    public static let redactionNote =
        "Secret values are shown as <redacted>; install-cronjob sends them only when it applies the Secret."

    /// `v1`.
    public var apiVersion = "v1"
    /// `Secret`.
    public var kind = "Secret"
    public var metadata: ObjectMeta
    /// `Opaque`.
    public var type = "Opaque"
    /// The values, in key order.
    public var values: [(key: String, value: Redacted<String>)]
    /// Whether encoding writes the real values.
    public private(set) var revealsValues = false

    /// Creates the Secret (values hidden on encoding).
    public init(metadata: ObjectMeta, values: [(key: String, value: Redacted<String>)]) {
        self.metadata = metadata
        self.values = values
    }

    /// A copy whose encoding carries the real values: for the request body only.
    func revealingValues() -> Self {
        var copy = self
        copy.revealsValues = true
        return copy
    }

    private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, type, stringData }

    private struct DynamicKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(apiVersion, forKey: .apiVersion)
        try container.encode(kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(type, forKey: .type)
        var data = container.nestedContainer(keyedBy: DynamicKey.self, forKey: .stringData)
        for (key, value) in values {
            try data.encode(revealsValues ? value.value : Self.placeholder, forKey: DynamicKey(stringValue: key))
        }
    }

    /// Decodes only the metadata (a server never returns `stringData`; values stay unknown).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(ObjectMeta.self, forKey: .metadata)
        values = []
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.metadata == rhs.metadata && lhs.values.map(\.key) == rhs.values.map(\.key)
            && zip(lhs.values, rhs.values).allSatisfy { $0.value == $1.value }
    }

    public var description: String {
        "Secret(\(metadata.namespace ?? "-")/\(metadata.name ?? "-"), keys: \(values.map(\.key)))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description], displayStyle: .struct) }
}
