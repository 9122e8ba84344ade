import FoundationEssentials

// MARK: - InstallCronJobResult

/// What `install-cronjob` did, for the CLI to render. Names only, never content.
public struct InstallCronJobResult: Sendable, Equatable, Codable {
    /// Whether the API server was asked with `dryRun=All` (nothing stored).
    public var dryRun: Bool
    /// Objects applied, in order.
    public var applied: [ObjectSummary] = []
    /// Objects deleted, in order.
    public var deleted: [ObjectSummary] = []
    /// The Job `--run-now` created.
    public var job: ObjectSummary?
    /// Things the user should know (printed on stderr).
    public var notes: [String] = []

    /// Creates a result.
    public init(dryRun: Bool, applied: [ObjectSummary] = [], deleted: [ObjectSummary] = [], job: ObjectSummary? = nil, notes: [String] = []) {
        self.dryRun = dryRun
        self.applied = applied
        self.deleted = deleted
        self.job = job
        self.notes = notes
    }
}

// MARK: - InstallCronJobError

/// A write failed part-way; says what was already written (exit status of the underlying error, normally 5).
public struct InstallCronJobError: APIMTokenError {
    /// What was being done (`apply role.rbac.authorization.k8s.io/apimtoken-demo`).
    public var action: String
    /// Objects written before the failure.
    public var completed: [ObjectSummary]
    /// The API error.
    public var underlying: any APIMTokenError
    /// A better remedy than the underlying one, when known.
    public var specificRemedy: String?

    public var exitStatus: ExitStatus { underlying.exitStatus }
    public var description: String {
        var text = "\(action) failed: \(underlying.description)"
        if !completed.isEmpty { text += " (already done: \(completed.map(\.description).joined(separator: ", ")))" }
        return text
    }
    public var remedy: String? {
        let again = completed.isEmpty ? nil : "install-cronjob is idempotent: fix the cause and run it again, or remove everything with --uninstall"
        return [specificRemedy ?? underlying.remedy, again].compactMap { $0 }.joined(separator: "; ").nilIfEmpty
    }
}

// MARK: - InstallCronJob

/// `install-cronjob`: apply the manifests with server-side apply, remove them by label, start a run now, and the
/// least-privilege Azure role. Each is a plain function of its inputs; `--dry-run=client` needs no function here
/// (render `InstallManifests.objects` with `ManifestRenderer`).
public enum InstallCronJob {
    /// The field manager of every write.
    public static let fieldManager = "kubectl-apimtoken"

    /// The kinds `install-cronjob` may have created, in uninstall (reverse apply) order. Jobs come from `--run-now`
    /// and from the schedule; they carry the job template's labels.
    public static let uninstallOrder: [ResourceType] = [
        .cronJobs, .jobs, .azureIdentityBindings, .azureIdentities, .secrets, .roleBindings, .roles, .serviceAccounts,
    ]

    // MARK: Apply

    /// Applies `manifests` in order (server-side apply, field manager `kubectl-apimtoken`, `force`), then with
    /// `runNow` creates a Job from the applied CronJob. `dryRun` sends `dryRun=All` on every write.
    public static func apply(
        _ manifests: InstallManifests, client: KubernetesClient, dryRun: Bool = false, runNow: Bool = false,
        jobName: String? = nil
    ) async throws -> InstallCronJobResult {
        let options = WriteOptions(fieldManager: fieldManager, dryRun: dryRun, force: true)
        var result = InstallCronJobResult(dryRun: dryRun)
        var appliedCronJob: Data?
        for manifest in manifests.objects {
            let summary = manifest.reference
            do {
                let response = try await client.patchRaw(
                    manifest.resourceType, name: manifest.name, namespace: manifest.metadata.namespace,
                    patch: try manifest.applyBody(), type: .apply, options: options)
                if case .cronJob = manifest { appliedCronJob = response }
            } catch let error as any APIMTokenError {
                throw InstallCronJobError(
                    action: "apply \(summary)", completed: result.applied, underlying: error,
                    specificRemedy: remedy(applying: manifest, error))
            }
            result.applied.append(summary)
        }
        if manifests.objects.contains(where: \.hasRedactedValues) {
            result.notes.append("the service principal Secret was applied; its values are not printed")
        }
        guard runNow else { return result }

        let cronJob = manifests.cronJob
        var source = appliedCronJob.flatMap { try? KubeJSON.decoder.decode(CronJobTemplateView.self, from: $0) }
        if source?.metadata.uid?.isEmpty ?? true, !dryRun {
            source = try await client.get(CronJobTemplateView.self, name: cronJob.metadata.name ?? "", namespace: cronJob.metadata.namespace)
        }
        guard let source, let uid = source.metadata.uid, !uid.isEmpty else {
            result.notes.append("--run-now skipped: the server's dry run returned no CronJob uid to own the Job")
            return result
        }
        do {
            result.job = try await createJob(from: source, client: client, dryRun: dryRun, jobName: jobName)
        } catch let error as any APIMTokenError {
            throw InstallCronJobError(action: "create a Job from cronjob.batch/\(source.metadata.name ?? "")", completed: result.applied, underlying: error)
        }
        return result
    }

    private static func remedy(applying manifest: Manifest, _ error: any APIMTokenError) -> String? {
        guard let apiError = error as? KubernetesAPIError, apiError.isNotFound else { return nil }
        switch manifest {
        case .azureIdentity, .azureIdentityBinding:
            return "the aad-pod-identity CRDs are not installed in this cluster; install aad-pod-identity or use --identity workload-identity"
        default:
            return nil
        }
    }

    // MARK: Run now

    /// Creates a Job from the CronJob `name` the way `kubectl create job --from=cronjob/NAME` does: the job
    /// template's labels, its annotations plus `cronjob.kubernetes.io/instantiate: manual`, its spec, and an owner
    /// reference to the CronJob (so deleting the CronJob deletes the Job).
    public static func runNow(
        cronJob name: String, namespace: String, client: KubernetesClient, dryRun: Bool = false, jobName: String? = nil
    ) async throws -> InstallCronJobResult {
        let source = try await client.get(CronJobTemplateView.self, name: name, namespace: namespace)
        let job = try await createJob(from: source, client: client, dryRun: dryRun, jobName: jobName)
        return InstallCronJobResult(dryRun: dryRun, job: job)
    }

    /// The Job `--run-now` creates from `cronJob` (a server object, with its uid).
    static func manualJob(from cronJob: CronJobTemplateView, name: String) -> ManualJob {
        var annotations = ["cronjob.kubernetes.io/instantiate": "manual"]
        for (key, value) in cronJob.spec.jobTemplate.metadata?.annotations ?? [:] { annotations[key] = value }
        var metadata = ObjectMeta(
            name: name, namespace: cronJob.metadata.namespace, labels: cronJob.spec.jobTemplate.metadata?.labels,
            annotations: annotations)
        metadata.ownerReferences = [
            OwnerReference(apiVersion: "batch/v1", kind: "CronJob", name: cronJob.metadata.name ?? "", uid: cronJob.metadata.uid ?? "")
        ]
        return ManualJob(metadata: metadata, spec: cronJob.spec.jobTemplate.spec)
    }

    /// `<cronjob>-manual-<5 random>`, shortened to the 63 characters a Job name may have.
    public static func manualJobName(cronJob: String, suffix: String = randomSuffix()) -> String {
        let tail = "-manual-\(suffix)"
        var head = String(cronJob.prefix(63 - tail.count))
        while head.hasSuffix("-") { head.removeLast() }
        return head + tail
    }

    /// Five characters from the alphabet the API server uses for `generateName`.
    public static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }

    private static func createJob(
        from source: CronJobTemplateView, client: KubernetesClient, dryRun: Bool, jobName: String?
    ) async throws -> ObjectSummary {
        let name = jobName ?? manualJobName(cronJob: source.metadata.name ?? "apimtoken")
        let job = manualJob(from: source, name: name)
        let created = try await client.create(
            job, namespace: source.metadata.namespace, options: WriteOptions(fieldManager: fieldManager, dryRun: dryRun))
        return ObjectSummary(
            kind: "Job", apiVersion: "batch/v1", name: created.metadata.name ?? name, namespace: created.metadata.namespace ?? source.metadata.namespace)
    }

    // MARK: Uninstall

    /// Deletes everything labelled `app.kubernetes.io/managed-by=kubectl-apimtoken` and
    /// `app.kubernetes.io/instance=<gateway>` in `namespace`, CronJob first, ServiceAccount last. Kinds whose API is
    /// not served (the aad-pod-identity CRDs) are skipped. The token Secret carries no such labels and stays.
    public static func uninstall(
        gateway: String, namespace: String, client: KubernetesClient, dryRun: Bool = false
    ) async throws -> InstallCronJobResult {
        let selector = ManifestLabels.selector(gateway: gateway)
        var result = InstallCronJobResult(dryRun: dryRun)
        for resource in uninstallOrder {
            let names: [String]
            do {
                names = try await listNames(resource, namespace: namespace, selector: selector, client: client)
            } catch let error as KubernetesAPIError where error.isNotFound {
                continue  // the kind is not served here (CRD not installed)
            } catch let error as any APIMTokenError {
                throw InstallCronJobError(action: "list \(resource) with \(selector)", completed: result.deleted, underlying: error)
            }
            for name in names.sorted() {
                let summary = ObjectSummary(kind: resource.kind, apiVersion: resource.apiVersion, name: name, namespace: namespace)
                do {
                    // Background: the garbage collector removes a CronJob's Jobs and a Job's pods.
                    if try await client.delete(resource, name: name, namespace: namespace, propagation: "Background", dryRun: dryRun) {
                        result.deleted.append(summary)
                    }
                } catch let error as any APIMTokenError {
                    throw InstallCronJobError(action: "delete \(summary)", completed: result.deleted, underlying: error)
                }
            }
        }
        if result.deleted.isEmpty { result.notes.append("nothing to uninstall: no object in \(namespace) matches \(selector)") }
        return result
    }

    private static func listNames(
        _ resource: ResourceType, namespace: String, selector: String, client: KubernetesClient
    ) async throws -> [String] {
        func names<Kind: ListedKind>(_ kind: Kind.Type) async throws -> [String] {
            try await client.list(MetadataOnly<Kind>.self, namespace: namespace, labelSelector: selector).compactMap(\.metadata.name)
        }
        switch resource {
        case .cronJobs: return try await names(CronJobsKind.self)
        case .jobs: return try await names(JobsKind.self)
        case .azureIdentityBindings: return try await names(AzureIdentityBindingsKind.self)
        case .azureIdentities: return try await names(AzureIdentitiesKind.self)
        case .secrets: return try await names(SecretsKind.self)
        case .roleBindings: return try await names(RoleBindingsKind.self)
        case .roles: return try await names(RolesKind.self)
        case .serviceAccounts: return try await names(ServiceAccountsKind.self)
        default: preconditionFailure("\(resource) is not a kind install-cronjob creates")
        }
    }

    // MARK: Azure role

    /// The least-privilege Azure custom role for the gateways of the APIM instances in `resourceGroup`.
    public static func azureRole(subscriptionID: String, resourceGroup: String, allowKeyRegeneration: Bool) throws -> AzureCustomRole {
        if subscriptionID.trimmingWhitespace().isEmpty {
            throw ConfigurationError("--print-azure-role needs --subscription-id", remedy: "pass -s/--subscription-id or set SUBSCRIPTION_ID")
        }
        if resourceGroup.trimmingWhitespace().isEmpty {
            throw ConfigurationError("--print-azure-role needs --resource-group", remedy: "pass -r/--resource-group or set RESOURCE_GROUP")
        }
        return AzureCustomRole(subscriptionID: subscriptionID, resourceGroup: resourceGroup, allowKeyRegeneration: allowKeyRegeneration)
    }

    /// `--print-azure-role`: the role as the JSON `az role definition create --role-definition @-` reads.
    public static func printAzureRole(subscription: String, resourceGroup: String, allowKeyRegeneration: Bool) throws -> String {
        try azureRole(subscriptionID: subscription, resourceGroup: resourceGroup, allowKeyRegeneration: allowKeyRegeneration).json()
    }
}

// MARK: - Wire types

/// A CronJob read for its job template, which is kept as raw JSON so that nothing a user added is lost.
struct CronJobTemplateView: KubernetesObject {
    static let resourceType = ResourceType.cronJobs
    var metadata: ObjectMeta
    var spec: Spec

    struct Spec: Codable, Sendable {
        var jobTemplate: Template
    }

    struct Template: Codable, Sendable {
        var metadata: ObjectMeta?
        var spec: JSONValue
    }
}

/// The Job `--run-now` creates.
struct ManualJob: KubernetesObject {
    static let resourceType = ResourceType.jobs
    var apiVersion: String? = "batch/v1"
    var kind: String? = "Job"
    var metadata: ObjectMeta
    var spec: JSONValue
}

/// A kind listed by `--uninstall`, metadata only.
protocol ListedKind: Sendable {
    static var resourceType: ResourceType { get }
}

/// Any object, metadata only (for listing by label without modelling, or keeping, its content).
struct MetadataOnly<Kind: ListedKind>: KubernetesObject {
    static var resourceType: ResourceType { Kind.resourceType }
    var metadata: ObjectMeta
}

// The kinds `--uninstall` lists, one marker type each.
/// CronJobs.
enum CronJobsKind: ListedKind { static var resourceType: ResourceType { .cronJobs } }
/// Jobs.
enum JobsKind: ListedKind { static var resourceType: ResourceType { .jobs } }
/// AzureIdentityBindings.
enum AzureIdentityBindingsKind: ListedKind { static var resourceType: ResourceType { .azureIdentityBindings } }
/// AzureIdentities.
enum AzureIdentitiesKind: ListedKind { static var resourceType: ResourceType { .azureIdentities } }
/// Secrets.
enum SecretsKind: ListedKind { static var resourceType: ResourceType { .secrets } }
/// RoleBindings.
enum RoleBindingsKind: ListedKind { static var resourceType: ResourceType { .roleBindings } }
/// Roles.
enum RolesKind: ListedKind { static var resourceType: ResourceType { .roles } }
/// ServiceAccounts.
enum ServiceAccountsKind: ListedKind { static var resourceType: ResourceType { .serviceAccounts } }
