import Foundation

@testable import APIMToken

/// Small workload builders for discovery and rollout tests (JSON in, typed objects out, as the API server sends them).
enum WorkloadFixtures {
    static func decode<T: Decodable>(_ type: T.Type, _ object: [String: Any]) -> T {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try! KubeJSON.decoder.decode(T.self, from: data)
    }

    static func container(
        name: String = "gateway", image: String = "mcr.microsoft.com/azure-api-management/gateway:v2",
        env: [[String: Any]] = [], envFrom: [[String: Any]] = []
    ) -> [String: Any] {
        ["name": name, "image": image, "env": env, "envFrom": envFrom]
    }

    static func deployment(
        _ name: String, namespace: String = "apim", containers: [[String: Any]], paused: Bool = false,
        created: String = "2026-11-01T00:00:00Z", restartedAt: String? = nil, generation: Int = 1, status: [String: Any]? = nil
    ) -> Workload {
        var template: [String: Any] = ["metadata": ["labels": ["app": name]], "spec": ["containers": containers]]
        if let restartedAt { template["metadata"] = ["labels": ["app": name], "annotations": [Annotations.restartedAt: restartedAt]] }
        var object: [String: Any] = [
            "metadata": ["name": name, "namespace": namespace, "creationTimestamp": created, "generation": generation],
            "spec": ["replicas": 1, "paused": paused, "selector": ["matchLabels": ["app": name]], "template": template],
        ]
        if let status { object["status"] = status }
        return .deployment(decode(Deployment.self, object))
    }

    static func statefulSet(
        _ name: String, namespace: String = "edge", containers: [[String: Any]], strategy: String = "RollingUpdate", status: [String: Any]? = nil,
        generation: Int = 1
    ) -> Workload {
        var object: [String: Any] = [
            "metadata": ["name": name, "namespace": namespace, "generation": generation],
            "spec": [
                "replicas": 2, "selector": ["matchLabels": ["app": name]], "updateStrategy": ["type": strategy],
                "template": ["metadata": ["labels": ["app": name]], "spec": ["containers": containers]],
            ],
        ]
        if let status { object["status"] = status }
        return .statefulSet(decode(StatefulSet.self, object))
    }

    static func secretRef(_ secret: String, key: String) -> [String: Any] {
        ["name": "config.service.auth", "valueFrom": ["secretKeyRef": ["name": secret, "key": key]]]
    }
}

/// An in-memory reader of Secrets and ConfigMaps.
struct DictionaryReader: GatewayDiscovery.ObjectReader {
    var secrets: [String: Secret] = [:]
    var configMaps: [String: ConfigMap] = [:]

    func secret(namespace: String, name: String) async throws -> Secret? { secrets["\(namespace)/\(name)"] }
    func configMap(namespace: String, name: String) async throws -> ConfigMap? { configMaps["\(namespace)/\(name)"] }

    static func secret(_ namespace: String, _ name: String, _ data: [String: String]) -> Secret {
        Secret(metadata: ObjectMeta(name: name, namespace: namespace), data: data.mapValues { Data($0.utf8) })
    }

    static func configMap(_ namespace: String, _ name: String, _ data: [String: String]) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace), data: data)
    }
}
