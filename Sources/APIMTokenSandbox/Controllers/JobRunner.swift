import Foundation

// MARK: - JobRunner

/// Runs the pods of Jobs by executing a local binary, as the kubelet would run the container: with the container's
/// arguments and environment (literal values, Secret and ConfigMap references), the pod's service-account token
/// mounted in-cluster style, and what the admission webhooks of the identity systems inject:
/// - workload identity (pod label `azure.workload.identity/use: "true"`): `AZURE_CLIENT_ID` and `AZURE_TENANT_ID`
///   from the ServiceAccount's annotations, a projected `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_AUTHORITY_HOST`;
/// - aad-pod-identity (pod label `aadpodidbinding`): IMDS answered by the sandbox (`AZURE_POD_IDENTITY_AUTHORITY_HOST`).
/// The sandbox's clouds stand in for Azure's: `ARM_ENDPOINT` (unless the pod sets it) and `SSL_CERT_FILE` (the
/// sandbox CA, as a node trusts the public CAs). When the process ends, the Job's status says Complete or Failed.
///
/// With a ``JobImage`` the container runs in the image's root filesystem instead (see ``JobImage``): the image's
/// entrypoint and environment, the pod's UID/GID, a read-only root, the service-account files and the federated
/// token bind-mounted at the paths Kubernetes and the workload-identity webhook use, `emptyDir` mounts as tmpfs, and no
/// `HOME`, `SSL_CERT_FILE` or `APIMTOKEN_SERVICEACCOUNT_DIR`: the sandbox CA is appended to the image's own system
/// bundle (bind-mounted over it), as Azure's CAs are in it, so an image without that bundle fails its Jobs.
///
/// `@unchecked Sendable`: mutable state is guarded by `lock`.
public final class JobRunner: @unchecked Sendable {
    /// What one Job's run printed, and how it ended.
    public struct Run: Sendable {
        /// `namespace/name` of the Job.
        public var job: String
        /// The exit status (nil while running).
        public var status: Int32?
        /// Standard output.
        public var stdout: String
        /// Standard error.
        public var stderr: String
    }

    private let sandbox: Sandbox
    private let executable: String
    private let image: JobImage?
    private let lock = NSLock()
    private var runs: [String: Run] = [:]
    private var task: Task<Void, Never>?

    init(sandbox: Sandbox, executable: String, image: JobImage? = nil) {
        self.sandbox = sandbox
        self.executable = executable
        self.image = image
    }

    /// Every run so far.
    public var allRuns: [Run] { lock.withLock { Array(runs.values) } }

    /// Stops watching for new Jobs (runs in flight finish).
    public func stop() { task?.cancel() }

    func start() {
        task = Task { [weak self] in
            while !Task.isCancelled {
                self?.pass()
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
        }
    }

    private func pass() {
        for item in sandbox.store.list(.jobs, namespace: nil).items {
            let key = "\(item.namespace)/\(item.name)"
            let isNew = lock.withLock { () -> Bool in
                guard runs[key] == nil, item.json[path: ["status", "completionTime"]] == nil,
                    (item.json[path: ["status", "failed"]]?.intValue ?? 0) == 0
                else { return false }
                runs[key] = Run(job: key, status: nil, stdout: "", stderr: "")
                return true
            }
            if isNew { launch(item.json, key: key, namespace: item.namespace, name: item.name) }
        }
    }

    private func launch(_ job: JSON, key: String, namespace: String, name: String) {
        let started = Timestamps.now()
        setStatus(namespace: namespace, name: name, ["startTime": .string(started), "active": 1])
        let prepared: (argv: [String], env: [String: String], timeout: TimeInterval)
        do {
            prepared = try prepare(job, namespace: namespace)
        } catch {
            finish(key: key, namespace: namespace, name: name, started: started, status: 127, stdout: "", stderr: "\(error)")
            return
        }
        Task.detached { [self] in
            let (status, out, err) = await Self.execute(prepared.argv, environment: prepared.env, timeout: prepared.timeout)
            finish(key: key, namespace: namespace, name: name, started: started, status: status, stdout: out, stderr: err)
        }
    }

    private func finish(key: String, namespace: String, name: String, started: String, status: Int32, stdout: String, stderr: String) {
        lock.withLock { runs[key] = Run(job: key, status: status, stdout: stdout, stderr: stderr) }
        // What `kubectl logs` would show, for people driving `apimtoken-sandbox up` by hand.
        let log = sandbox.directory.appendingPathComponent("pods/\(namespace)-\(name).log")
        try? Data("exit \(status)\n\(stdout)\(stderr)".utf8).write(to: log)
        let now = Timestamps.now()
        if status == 0 {
            setStatus(
                namespace: namespace, name: name,
                [
                    "startTime": .string(started), "completionTime": .string(now), "succeeded": 1,
                    "conditions": [["type": "Complete", "status": "True", "lastProbeTime": .string(now), "lastTransitionTime": .string(now)]],
                ])
        } else {
            setStatus(
                namespace: namespace, name: name,
                [
                    "startTime": .string(started), "failed": 1,
                    "conditions": [
                        [
                            "type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": .string("the container exited with \(status)"),
                            "lastProbeTime": .string(now), "lastTransitionTime": .string(now),
                        ]
                    ],
                ])
        }
    }

    private func setStatus(namespace: String, name: String, _ status: JSON) {
        _ = try? sandbox.store.write(
            .jobs, namespace: namespace, name: name, manager: FieldManager(name: "kube-controller-manager", operation: "Update", subresource: "status")
        ) { current in
            guard var job = current else { throw SandboxError("job \(namespace)/\(name) is gone") }
            job["status"] = status
            return .put(job)
        }
    }

    /// The command line and environment of the Job's first container.
    func prepare(_ job: JSON, namespace: String) throws -> (argv: [String], env: [String: String], timeout: TimeInterval) {
        let pod = job[path: ["spec", "template"]] ?? [:]
        guard let container = pod[path: ["spec", "containers"]]?.arrayValue?.first else { throw SandboxError("the Job has no container") }
        let args = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        let store = sandbox.store
        var env: [String: String] = image?.environment ?? ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        var mounts: [JobImage.Mount] = []
        func secretValue(_ secret: String, _ key: String) -> String? {
            store.get(.secrets, namespace: namespace, name: secret)?[path: ["data", key]]?.stringValue
                .flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        for source in container["envFrom"]?.arrayValue ?? [] {
            let prefix = source["prefix"]?.stringValue ?? ""
            if let secret = source[path: ["secretRef", "name"]]?.stringValue {
                for (key, _) in store.get(.secrets, namespace: namespace, name: secret)?["data"]?.objectValue ?? [:] {
                    env[prefix + key] = secretValue(secret, key)
                }
            }
            if let map = source[path: ["configMapRef", "name"]]?.stringValue {
                for (key, value) in store.get(.configMaps, namespace: namespace, name: map)?["data"]?.objectValue ?? [:] {
                    env[prefix + key] = value.stringValue
                }
            }
        }
        for variable in container["env"]?.arrayValue ?? [] {
            guard let name = variable["name"]?.stringValue else { continue }
            if let value = variable["value"]?.stringValue {
                env[name] = value
            } else if let ref = variable[path: ["valueFrom", "secretKeyRef"]], let secret = ref["name"]?.stringValue, let key = ref["key"]?.stringValue {
                guard let value = secretValue(secret, key) else { throw SandboxError("secret \(namespace)/\(secret) key \(key) not found") }
                env[name] = value
            } else if let ref = variable[path: ["valueFrom", "configMapKeyRef"]], let map = ref["name"]?.stringValue, let key = ref["key"]?.stringValue {
                env[name] = store.get(.configMaps, namespace: namespace, name: map)?[path: ["data", key]]?.stringValue
            }
        }

        // The service account, mounted as in a pod.
        let account = pod[path: ["spec", "serviceAccountName"]]?.stringValue ?? "default"
        let directory = sandbox.directory.appendingPathComponent("pods/\(namespace)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if pod[path: ["spec", "automountServiceAccountToken"]]?.boolValue != false {
            // In an image the directory is mounted alone, so it holds only what Kubernetes puts there.
            let accountDirectory = image == nil ? directory : directory.appendingPathComponent("serviceaccount")
            try FileManager.default.createDirectory(at: accountDirectory, withIntermediateDirectories: true)
            try Data(try sandbox.serviceAccountToken(namespace: namespace, name: account).utf8).write(to: accountDirectory.appendingPathComponent("token"))
            try FileManager.default.copyItem(atPath: sandbox.caCertificatePath, toPath: accountDirectory.appendingPathComponent("ca.crt").path)
            try Data(namespace.utf8).write(to: accountDirectory.appendingPathComponent("namespace"))
            if image != nil {
                mounts.append(.bind(source: accountDirectory.path, target: InClusterPaths.serviceAccount))
            } else {
                env["APIMTOKEN_SERVICEACCOUNT_DIR"] = directory.path
            }
        }
        let server = URLComponents(string: sandbox.apiServerURL)
        env["KUBERNETES_SERVICE_HOST"] = server?.host ?? "127.0.0.1"
        env["KUBERNETES_SERVICE_PORT"] = String(server?.port ?? 443)

        // What the identity webhooks inject.
        let labels = pod[path: ["metadata", "labels"]]?.objectValue ?? [:]
        if labels["azure.workload.identity/use"]?.stringValue == "true" {
            let annotations = store.get(.serviceAccounts, namespace: namespace, name: account)?[path: ["metadata", "annotations"]]?.objectValue ?? [:]
            if let clientID = annotations["azure.workload.identity/client-id"]?.stringValue { env["AZURE_CLIENT_ID"] = clientID }
            env["AZURE_TENANT_ID"] = annotations["azure.workload.identity/tenant-id"]?.stringValue ?? sandbox.azure.tenantID
            let token = try sandbox.serviceAccountToken(namespace: namespace, name: account, audiences: ["api://AzureADTokenExchange"])
            if image != nil {
                // The webhook's projected volume: /var/run/secrets/azure/tokens/azure-identity-token.
                let tokens = directory.appendingPathComponent("azure-tokens")
                try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
                try Data(token.utf8).write(to: tokens.appendingPathComponent("azure-identity-token"))
                mounts.append(.bind(source: tokens.path, target: InClusterPaths.azureTokens))
                env["AZURE_FEDERATED_TOKEN_FILE"] = InClusterPaths.azureTokens + "/azure-identity-token"
            } else {
                let file = directory.appendingPathComponent("azure-identity-token")
                try Data(token.utf8).write(to: file)
                env["AZURE_FEDERATED_TOKEN_FILE"] = file.path
            }
            env["AZURE_AUTHORITY_HOST"] = sandbox.authorityHost
        }
        if labels["aadpodidbinding"] != nil { env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = sandbox.imdsEndpoint }
        if env["ARM_ENDPOINT"] == nil { env["ARM_ENDPOINT"] = sandbox.armEndpoint }
        if env["AZURE_AUTHORITY_HOST"] == nil { env["AZURE_AUTHORITY_HOST"] = sandbox.authorityHost }
        env["NO_PROXY"] = "127.0.0.1,localhost"
        let deadline = TimeInterval(job[path: ["spec", "activeDeadlineSeconds"]]?.intValue ?? 600)
        guard let image else {
            env["SSL_CERT_FILE"] = sandbox.caCertificatePath
            return ([executable] + args, env, deadline)
        }
        return (try imageLaunch(image, pod: pod, container: container, directory: directory, mounts: mounts), env, deadline)
    }

    /// The argv that runs the container in `image` (see ``JobImage``), with the pod's user, files and volumes.
    private func imageLaunch(_ image: JobImage, pod: JSON, container: JSON, directory: URL, mounts podMounts: [JobImage.Mount]) throws -> [String] {
        var mounts = podMounts
        // The sandbox CA joins the image's system bundle, as Azure's CAs are in it.
        let system = image.root.appendingPathComponent(String(JobImage.systemBundlePath.dropFirst()))
        guard let bundle = FileManager.default.contents(atPath: system.path), !bundle.isEmpty else {
            throw SandboxError("the job image has no system CA bundle at \(JobImage.systemBundlePath): TLS to Azure would fail in every cluster")
        }
        let combined = directory.appendingPathComponent("ca-certificates.crt")
        try (bundle + Data("\n".utf8) + (try Data(contentsOf: URL(fileURLWithPath: sandbox.caCertificatePath)))).write(to: combined)
        mounts.append(.bind(source: combined.path, target: JobImage.systemBundlePath))

        // emptyDir volumes as size-limited tmpfs; no other volume type is simulated.
        let volumes = pod[path: ["spec", "volumes"]]?.arrayValue ?? []
        for volumeMount in container["volumeMounts"]?.arrayValue ?? [] {
            guard let name = volumeMount["name"]?.stringValue, let path = volumeMount["mountPath"]?.stringValue,
                let volume = volumes.first(where: { $0["name"]?.stringValue == name }), let emptyDir = volume["emptyDir"]
            else { throw SandboxError("volume mount \(volumeMount): only emptyDir volumes are simulated") }
            let bytes = emptyDir["sizeLimit"]?.stringValue.flatMap(Self.bytes) ?? 64 << 20
            mounts.append(.tmpfs(target: path, bytes: bytes))
        }

        // The user: container securityContext, else the pod's, else the image's; runAsNonRoot checked as the kubelet does.
        let podContext = pod[path: ["spec", "securityContext"]]
        let containerContext = container["securityContext"]
        let imageIDs = (image.user ?? "0").split(separator: ":").map { Int($0) }
        guard imageIDs.allSatisfy({ $0 != nil }) else { throw SandboxError("the image user \(image.user ?? "") is not numeric") }
        let uid = containerContext?["runAsUser"]?.intValue ?? podContext?["runAsUser"]?.intValue ?? imageIDs.first.flatMap { $0 } ?? 0
        let gid = containerContext?["runAsGroup"]?.intValue ?? podContext?["runAsGroup"]?.intValue ?? (imageIDs.count > 1 ? imageIDs[1] : nil) ?? 0
        let nonRoot = containerContext?["runAsNonRoot"]?.boolValue ?? podContext?["runAsNonRoot"]?.boolValue ?? false
        if nonRoot && uid == 0 { throw SandboxError("container has runAsNonRoot and image will run as root") }
        // The kubelet gives the projected token to the pod's user (0600) when it runs as one user.
        for file in ["serviceaccount/token", "azure-tokens/azure-identity-token"] {
            let path = directory.appendingPathComponent(file).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            try FileManager.default.setAttributes([.ownerAccountID: uid, .groupOwnerAccountID: gid, .posixPermissions: 0o600], ofItemAtPath: path)
        }

        // Kubernetes: command replaces the entrypoint, args the Cmd.
        let command = container["command"]?.arrayValue?.compactMap(\.stringValue)
        let args = container["args"]?.arrayValue?.compactMap(\.stringValue)
        let argv = (command ?? image.entrypoint) + (args ?? (command == nil ? image.cmd : []))
        return try image.launchArguments(command: argv, uid: uid, gid: gid, mounts: mounts)
    }

    /// A Kubernetes quantity (`64Mi`, `1G`, `100000`) in bytes.
    static func bytes(_ quantity: String) -> Int? {
        let units: [(String, Int)] = [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("k", 1000), ("M", 1_000_000), ("G", 1_000_000_000)]
        for (suffix, factor) in units where quantity.hasSuffix(suffix) {
            return Int(quantity.dropLast(suffix.count)).map { $0 * factor }
        }
        return Int(quantity)
    }

    /// Runs a process with a time limit, without blocking a thread of the cooperative pool.
    static func execute(_ argv: [String], environment: [String: String], timeout: TimeInterval) async -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let collected = Collected()
        out.fileHandleForReading.readabilityHandler = { collected.append(out: $0.availableData) }
        err.fileHandleForReading.readabilityHandler = { collected.append(err: $0.availableData) }
        do {
            try process.run()
        } catch {
            return (127, "", "could not start \(argv[0]): \(error)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { process.terminate() }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        collected.append(out: out.fileHandleForReading.readDataToEndOfFile())
        collected.append(err: err.fileHandleForReading.readDataToEndOfFile())
        return (process.terminationStatus, collected.stdout, collected.stderr)
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var outData = Data()
        private var errData = Data()
        func append(out data: Data) { lock.withLock { outData.append(data) } }
        func append(err data: Data) { lock.withLock { errData.append(data) } }
        var stdout: String { lock.withLock { String(decoding: outData, as: UTF8.self) } }
        var stderr: String { lock.withLock { String(decoding: errData, as: UTF8.self) } }
    }
}

// MARK: - InClusterPaths

/// Where Kubernetes and the workload-identity webhook mount a pod's credentials.
enum InClusterPaths {
    /// The ServiceAccount's `token`, `ca.crt` and `namespace`.
    static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"
    /// The webhook's projected `azure-identity-token` volume.
    static let azureTokens = "/var/run/secrets/azure/tokens"
}

extension Sandbox {
    /// Starts running every new Job's pod with `executable` (see ``JobRunner``); call `stop()` on the result.
    public func startJobRunner(executable: String) -> JobRunner {
        let runner = JobRunner(sandbox: self, executable: executable)
        runner.start()
        return runner
    }

    /// Starts running every new Job's pod in `image` (see ``JobRunner`` and ``JobImage``); call `stop()` on the result.
    public func startJobRunner(image: JobImage) -> JobRunner {
        let runner = JobRunner(sandbox: self, executable: image.entrypoint.first ?? "", image: image)
        runner.start()
        return runner
    }

    /// Lets a ServiceAccount's projected token sign in as `clientID` (a federated credential for
    /// `system:serviceaccount:<namespace>:<name>` on that application).
    public func addFederatedCredential(namespace: String, serviceAccount: String, clientID: String) {
        guard var app = azureState.application(clientID) else { return }
        app.federatedCredentials.append((Self.issuerURL, "system:serviceaccount:\(namespace):\(serviceAccount)"))
        azureState.register(app)
    }
}
