import Foundation

/// The admin endpoint the `apimtoken-sandbox` command line talks to (plain HTTP on 127.0.0.1, bearer admin token).
///
/// The query parameter `cluster=K` (1-based, default 1) selects the cluster that faults, service-account tokens,
/// behaviour switches and `/api-server` act on; Azure faults and `/azure-rbac` concern the one Azure, so inject
/// Azure faults on cluster 1.
struct AdminAPI: Sendable {
    /// The primary cluster of the sandbox it controls.
    let primary: Sandbox

    /// Answers one admin request (bearer admin token required).
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        guard request.header("Authorization") == "Bearer \(primary.adminToken)" else {
            return .json(401, ["error": "unauthorized"])
        }
        let clusters = primary.clusters
        let number = request.queryValue("cluster").map { Int($0) ?? 0 } ?? 1
        guard (1...clusters.count).contains(number) else {
            return .json(404, ["error": .string("no cluster \(request.queryValue("cluster") ?? ""): the sandbox has clusters 1 to \(clusters.count)")])
        }
        let sandbox = clusters[number - 1]
        let body = (try? JSON.parse(request.body)) ?? [:]
        switch (request.method, request.path) {
        case ("GET", "/faults"):
            let data = (try? JSONEncoder().encode(sandbox.pendingFaults)) ?? Data("[]".utf8)
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(data))
        case ("POST", "/faults"):
            guard let fault = try? JSONDecoder().decode(Fault.self, from: Data(request.body)) else {
                return .json(400, ["error": "body is not a Fault"])
            }
            sandbox.inject(fault)
            return .json(201, ["injected": true])
        case ("DELETE", "/faults"):
            sandbox.clearFaults()
            return .json(200, ["cleared": true])
        case ("POST", "/serviceaccount-token"):
            do {
                let token = try sandbox.serviceAccountToken(
                    namespace: body["namespace"]?.stringValue ?? "", name: body["name"]?.stringValue ?? "",
                    lifetime: TimeInterval(body["lifetimeSeconds"]?.intValue ?? 3600),
                    audiences: body["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? ["https://kubernetes.default.svc.cluster.local"])
                return .json(200, ["token": .string(token), "server": .string(sandbox.apiServerURL)])
            } catch {
                return .json(404, ["error": .string("\(error)")])
            }
        case ("POST", "/never-ready"):
            sandbox.setNeverReady(
                kind: body["kind"]?.stringValue ?? "Deployment", namespace: body["namespace"]?.stringValue ?? "", name: body["name"]?.stringValue ?? "",
                body["value"]?.boolValue ?? true)
            return .json(200, ["ok": true])
        case ("POST", "/ready-despite-bad-token"):
            sandbox.setReadyDespiteBadToken(body["value"]?.boolValue ?? true)
            return .json(200, ["ok": true])
        case ("POST", "/api-server"):
            if body["running"]?.boolValue ?? true {
                do {
                    try await sandbox.startAPIServer()
                } catch {
                    return .json(500, ["error": .string("cannot listen on \(sandbox.apiServerURL) again: \(error)")])
                }
            } else {
                await sandbox.stopAPIServer()
            }
            return .json(200, ["running": .bool(await sandbox.isAPIServerRunning), "server": .string(sandbox.apiServerURL)])
        case ("POST", "/azure-rbac"):
            sandbox.setAzureActions((body["actions"]?.arrayValue ?? []).compactMap(\.stringValue), forClientID: body["clientID"]?.stringValue ?? "")
            return .json(200, ["ok": true])
        default:
            return .json(404, ["error": .string("no such admin endpoint: \(request.method) \(request.path)")])
        }
    }
}
