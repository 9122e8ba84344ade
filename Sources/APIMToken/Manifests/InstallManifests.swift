import FoundationEssentials

// MARK: - Manifest

/// One object `install-cronjob` writes.
public enum Manifest: Sendable, Encodable {
    /// The ServiceAccount the CronJob's pod runs as.
    case serviceAccount(ServiceAccount)
    /// The least-privilege Role.
    case role(Role)
    /// The binding of the Role to the ServiceAccount.
    case roleBinding(RoleBinding)
    /// The service principal's Secret, when `install-cronjob` creates it.
    case servicePrincipalSecret(ServicePrincipalSecretManifest)
    /// aad-pod-identity's AzureIdentity.
    case azureIdentity(AzureIdentity)
    /// aad-pod-identity's AzureIdentityBinding.
    case azureIdentityBinding(AzureIdentityBinding)
    /// The CronJob.
    case cronJob(CronJobManifest)

    /// Where the object lives.
    public var resourceType: ResourceType {
        switch self {
        case .serviceAccount: ServiceAccount.resourceType
        case .role: Role.resourceType
        case .roleBinding: RoleBinding.resourceType
        case .servicePrincipalSecret: ServicePrincipalSecretManifest.resourceType
        case .azureIdentity: AzureIdentity.resourceType
        case .azureIdentityBinding: AzureIdentityBinding.resourceType
        case .cronJob: CronJobManifest.resourceType
        }
    }

    /// The object's metadata.
    public var metadata: ObjectMeta {
        switch self {
        case .serviceAccount(let object): object.metadata
        case .role(let object): object.metadata
        case .roleBinding(let object): object.metadata
        case .servicePrincipalSecret(let object): object.metadata
        case .azureIdentity(let object): object.metadata
        case .azureIdentityBinding(let object): object.metadata
        case .cronJob(let object): object.metadata
        }
    }

    /// The object's name.
    public var name: String { metadata.name ?? "" }

    /// `kind/name`, as kubectl prints applied objects (`cronjob.batch/apimtoken-demo`).
    public var reference: ObjectSummary {
        ObjectSummary(kind: resourceType.kind, apiVersion: resourceType.apiVersion, name: name, namespace: metadata.namespace)
    }

    /// The object as printed: identical to what is applied, except that secret values are `<redacted>`.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .serviceAccount(let object): try object.encode(to: encoder)
        case .role(let object): try object.encode(to: encoder)
        case .roleBinding(let object): try object.encode(to: encoder)
        case .servicePrincipalSecret(let object): try object.encode(to: encoder)
        case .azureIdentity(let object): try object.encode(to: encoder)
        case .azureIdentityBinding(let object): try object.encode(to: encoder)
        case .cronJob(let object): try object.encode(to: encoder)
        }
    }

    /// The request body of a server-side apply: the object with secret values revealed.
    func applyBody() throws -> Data {
        switch self {
        case .servicePrincipalSecret(let object): try KubeJSON.encoder.encode(object.revealingValues())
        default: try KubeJSON.encoder.encode(self)
        }
    }

    /// Whether printing this object hides values.
    public var hasRedactedValues: Bool {
        if case .servicePrincipalSecret = self { return true }
        return false
    }
}

// MARK: - ObjectSummary

/// An object named the way results and messages name it, with no content.
public struct ObjectSummary: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The kind (`CronJob`).
    public var kind: String
    /// The apiVersion (`batch/v1`).
    public var apiVersion: String
    public var name: String
    public var namespace: String?

    /// Creates a summary.
    public init(kind: String, apiVersion: String, name: String, namespace: String?) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.name = name
        self.namespace = namespace
    }

    /// `cronjob.batch/apimtoken-demo`, like kubectl's apply output.
    public var description: String {
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        return group.isEmpty ? "\(kind.lowercased())/\(name)" : "\(kind.lowercased()).\(group)/\(name)"
    }
}

// MARK: - InstallManifests

/// The ordered objects `install-cronjob` writes: ServiceAccount, Role, RoleBinding, the identity objects, CronJob.
public struct InstallManifests: Sendable {
    /// The objects in apply order.
    public var objects: [Manifest]
    /// The configuration they were built from.
    public var configuration: CronJobInstallConfiguration

    /// The CronJob (always the last object).
    public var cronJob: CronJobManifest {
        for case .cronJob(let cronJob) in objects { return cronJob }
        preconditionFailure("InstallManifests always ends with the CronJob")
    }

    /// Builds the manifests after validating `configuration`.
    public init(_ configuration: CronJobInstallConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        let names = InstallNames(configuration)
        let labels = ManifestLabels.common(gateway: configuration.gateway)
        func meta(_ name: String, annotations: [String: String]? = nil) -> ObjectMeta {
            ObjectMeta(name: name, namespace: configuration.namespace, labels: labels, annotations: annotations)
        }

        var objects: [Manifest] = []

        // ServiceAccount: workload identity federates this exact subject, so the client id goes on it.
        var serviceAccountAnnotations: [String: String]?
        if case .workloadIdentity(let clientID, let tenantID) = configuration.identity {
            serviceAccountAnnotations = [WorkloadIdentity.clientIDAnnotation: clientID]
            if let tenantID, !tenantID.isEmpty { serviceAccountAnnotations?[WorkloadIdentity.tenantIDAnnotation] = tenantID }
        }
        objects.append(.serviceAccount(ServiceAccount(metadata: meta(names.serviceAccount, annotations: serviceAccountAnnotations))))
        objects.append(.role(Role(metadata: meta(names.role), rules: Self.rules(configuration))))
        objects.append(
            .roleBinding(
                RoleBinding(
                    metadata: meta(names.roleBinding), role: names.role, serviceAccount: names.serviceAccount,
                    namespace: configuration.namespace)))

        // Identity objects and what the pod needs for them.
        var podLabels = labels
        var env = Self.targetEnvironment(configuration)
        switch configuration.identity {
        case .workloadIdentity:
            podLabels[WorkloadIdentity.useLabel] = "true"
        case .aadPodIdentity(let resourceID, let clientID):
            objects.append(
                .azureIdentity(
                    AzureIdentity(
                        metadata: meta(names.azureIdentity),
                        spec: .init(type: 0, resourceID: resourceID, clientID: clientID))))
            objects.append(
                .azureIdentityBinding(
                    AzureIdentityBinding(
                        metadata: meta(names.azureIdentityBinding),
                        spec: .init(azureIdentity: names.azureIdentity, selector: names.podIdentitySelector))))
            podLabels[AADPodIdentity.bindingLabel] = names.podIdentitySelector
            // Selects the user-assigned identity at IMDS; a client id is not a secret.
            env.append(EnvVar(name: "AZURE_CLIENT_ID", value: clientID))
        case .servicePrincipal(let source):
            let secretName: String
            switch source {
            case .existingSecret(let name):
                secretName = name
            case .newSecret(let clientID, let clientSecret, let tenantID):
                secretName = names.servicePrincipalSecret
                objects.append(
                    .servicePrincipalSecret(
                        ServicePrincipalSecretManifest(
                            metadata: meta(secretName),
                            values: [
                                (key: ServicePrincipal.clientIDKey, value: Redacted(clientID)),
                                (key: ServicePrincipal.clientSecretKey, value: clientSecret),
                                (key: ServicePrincipal.tenantIDKey, value: Redacted(tenantID)),
                            ])))
            }
            // The kubelet resolves these references; the pod's ServiceAccount needs no access to the Secret.
            for key in [ServicePrincipal.clientIDKey, ServicePrincipal.clientSecretKey, ServicePrincipal.tenantIDKey] {
                env.append(
                    EnvVar(
                        name: key, value: nil,
                        valueFrom: EnvVarSource(secretKeyRef: KeySelector(name: secretName, key: key, optional: nil))))
            }
        }

        // The CronJob.
        var cronJobLabels = labels
        cronJobLabels[ManifestLabels.secret] = ManifestNames.labelValue(configuration.tokenSecret)
        let container = CronJobManifest.Container(
            name: "rotate",
            image: configuration.image,
            imagePullPolicy: "IfNotPresent",
            // The run stops itself, says what it did and records its Event before the Job's activeDeadlineSeconds
            // has the kubelet kill it.
            args: ["rotate", "--if-expires-within", DurationText.format(configuration.ifExpiresWithin), "--deadline", "\(configuration.runDeadlineSeconds)s"],
            env: env,
            resources: .init(
                requests: ["cpu": "10m", "memory": "32Mi"],
                limits: ["cpu": "500m", "memory": "128Mi"]),
            securityContext: .init(
                allowPrivilegeEscalation: false, capabilities: .init(drop: ["ALL"]), readOnlyRootFilesystem: true,
                runAsNonRoot: true))
        let podSpec = CronJobManifest.PodSpec(
            serviceAccountName: names.serviceAccount,
            automountServiceAccountToken: true,
            restartPolicy: "Never",
            securityContext: .init(
                runAsNonRoot: true, runAsUser: Self.nonRootID, runAsGroup: Self.nonRootID,
                seccompProfile: .init(type: "RuntimeDefault")),
            containers: [container])
        let cronJob = CronJobManifest(
            metadata: ObjectMeta(name: names.cronJob, namespace: configuration.namespace, labels: cronJobLabels),
            spec: .init(
                schedule: configuration.schedule,
                timeZone: configuration.timeZone,
                concurrencyPolicy: "Forbid",
                suspend: configuration.suspend,
                startingDeadlineSeconds: configuration.startingDeadlineSeconds,
                successfulJobsHistoryLimit: configuration.successfulJobsHistoryLimit,
                failedJobsHistoryLimit: configuration.failedJobsHistoryLimit,
                jobTemplate: .init(
                    metadata: ObjectMeta(labels: labels),
                    spec: .init(
                        backoffLimit: configuration.backoffLimit,
                        activeDeadlineSeconds: configuration.activeDeadlineSeconds,
                        template: .init(metadata: ObjectMeta(labels: podLabels), spec: podSpec)))))
        objects.append(.cronJob(cronJob))
        self.objects = objects
    }

    /// The image's non-root user and group (distroless `nonroot`).
    public static let nonRootID = 65532

    // MARK: Role

    /// The Role's rules: exactly what `rotate` run by the CronJob calls, nothing cluster-wide, no wildcards.
    ///
    /// The CronJob names the Secret, its key, the gateway and the workload, so `rotate` discovers nothing and lists
    /// nothing; its rollout wait polls the one workload by name (`get`), so no `list` or `watch` is needed at all.
    /// The end-to-end tests remove each verb and name in turn and see the run fail.
    static func rules(_ configuration: CronJobInstallConfiguration) -> [PolicyRule] {
        let workload = configuration.workload
        return [
            // Read the token Secret, then write the new token with one merge patch (resourceVersion precondition).
            PolicyRule(apiGroups: [""], resources: ["secrets"], resourceNames: [configuration.tokenSecret], verbs: ["get", "patch"]),
            // Read the workload (paused/OnDelete check, rollout status by polling) and restart it the way
            // `rollout restart` does (a patch of the pod template's restartedAt annotation).
            PolicyRule(
                apiGroups: ["apps"], resources: [workload.kind.resourceType.plural], resourceNames: [workload.name],
                verbs: ["get", "patch"]),
            // Record TokenRotated / TokenRotationFailed on the Secret. Event names are generated, so no resourceNames.
            PolicyRule(apiGroups: [""], resources: ["events"], verbs: ["create"]),
        ]
    }

    // MARK: Environment

    /// The target as ``TargetVariable``s, the names `rotate` reads (compatible with apim-shg-rotate), in the
    /// contract's order.
    static func targetEnvironment(_ configuration: CronJobInstallConfiguration) -> [EnvVar] {
        let values: [TargetVariable: String?] = [
            .subscriptionID: configuration.subscriptionID, .resourceGroup: configuration.resourceGroup, .apimInstance: configuration.apimInstance,
            .apimGateway: configuration.gateway, .tokenSecret: configuration.tokenSecret, .tokenSecretKey: configuration.tokenSecretKey,
            .tokenKey: configuration.tokenKey, .restart: configuration.workload.description, .loginMethod: configuration.identity.loginMethod,
            .cloud: configuration.cloud, .armEndpoint: configuration.armEndpoint,
        ]
        return TargetVariable.allCases.compactMap { variable in values[variable].flatMap { $0 }.map { EnvVar(name: variable.rawValue, value: $0) } }
    }
}

// MARK: - InstallNames

/// The names of the installed objects for one gateway.
public struct InstallNames: Sendable, Equatable {
    /// `apimtoken-<gateway>`, ≤ 52 characters: the CronJob.
    public var cronJob: String
    /// The ServiceAccount (same as the CronJob).
    public var serviceAccount: String
    /// The Role (same as the CronJob).
    public var role: String
    /// The RoleBinding (same as the CronJob).
    public var roleBinding: String
    /// The AzureIdentity.
    public var azureIdentity: String
    /// The AzureIdentityBinding.
    public var azureIdentityBinding: String
    /// The value of the pod label `aadpodidbinding`.
    public var podIdentitySelector: String
    /// The service principal Secret `install-cronjob` creates.
    public var servicePrincipalSecret: String

    /// The names for `configuration`'s gateway.
    public init(_ configuration: CronJobInstallConfiguration) { self.init(gateway: configuration.gateway) }

    /// The names for `gateway`.
    public init(gateway: String) {
        let base = ManifestNames.base(gateway: gateway)
        cronJob = base
        serviceAccount = base
        role = base
        roleBinding = base
        azureIdentity = base
        azureIdentityBinding = "\(base)-binding"
        podIdentitySelector = base
        servicePrincipalSecret = "\(base)-azure-sp"
    }
}

// MARK: - Identity constants

/// Azure Workload Identity's annotation and label.
public enum WorkloadIdentity {
    /// ServiceAccount annotation with the identity's client id.
    public static let clientIDAnnotation = "azure.workload.identity/client-id"
    /// ServiceAccount annotation with the tenant id (optional).
    public static let tenantIDAnnotation = "azure.workload.identity/tenant-id"
    /// Pod label that makes the webhook inject the projected token and env.
    public static let useLabel = "azure.workload.identity/use"
}

/// aad-pod-identity's pod label.
public enum AADPodIdentity {
    /// Pod label matched by an AzureIdentityBinding's selector.
    public static let bindingLabel = "aadpodidbinding"
}

/// The keys of a service principal Secret.
public enum ServicePrincipal {
    /// The client (application) id.
    public static let clientIDKey = "AZURE_CLIENT_ID"
    /// The client secret.
    public static let clientSecretKey = "AZURE_CLIENT_SECRET"
    /// The tenant id.
    public static let tenantIDKey = "AZURE_TENANT_ID"
}
