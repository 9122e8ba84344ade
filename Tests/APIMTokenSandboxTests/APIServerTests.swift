import Foundation
import Testing

@testable import APIMTokenSandbox

/// API server semantics: selectors, paging, conflicts, patches, dry runs and Status bodies.
@Suite struct APIServerTests {
    @Test func patchesSelectorsAndPaging() throws {
        #expect(Patch.merge(["a": 1, "b": ["c": 2]], ["b": ["c": nil, "d": 3]]) == ["a": 1, "b": ["d": 3]])
        let target: JSON = ["containers": [["name": "gw", "image": "v1", "env": [["name": "A", "value": "1"]]]]]
        let merged = Patch.strategic(target, ["containers": [["name": "gw", "env": [["name": "B", "value": "2"]]]]])
        #expect(merged[path: ["containers"]]?.arrayValue?.first?["image"]?.stringValue == "v1")
        #expect(merged[path: ["containers"]]?.arrayValue?.first?["env"]?.arrayValue?.count == 2)
        #expect(
            try Patch.jsonPatch(["a": [1, 2]], [["op": "add", "path": "/a/-", "value": 3], ["op": "replace", "path": "/a/0", "value": 0]]) == ["a": [0, 2, 3]])
        let selector = try LabelSelector("app=demo,tier!=db,env in (prod,dev),!legacy,release")
        #expect(selector.matches(["app": "demo", "env": "dev", "release": "1"]))
        #expect(!selector.matches(["app": "demo", "env": "test", "release": "1"]))
        #expect(!selector.matches(["app": "demo", "env": "dev", "release": "1", "legacy": "y"]))
        #expect(try FieldSelector("metadata.name=demo").matches(object: ["metadata": ["name": "demo"]]))
    }

    @Test func writesConflictsAndStatusBodies() async throws {
        let sandbox = try await TestSupport.start()
        let url = "\(sandbox.apiServerURL)/api/v1/namespaces/apim/secrets/demo-token"
        let current = try JSON.parse(await TestSupport.curl(url, sandbox: sandbox, clientCertificate: true).body)
        let rv = try #require(current[path: ["metadata", "resourceVersion"]]?.stringValue)
        let stale = await TestSupport.curl(
            url, sandbox: sandbox, method: "PATCH", clientCertificate: true, body: #"{"metadata":{"resourceVersion":"1"}}"#,
            contentType: "application/merge-patch+json")
        #expect(stale.status == 409)
        #expect((try? JSON.parse(stale.body))?["reason"]?.stringValue == "Conflict")
        let fresh = await TestSupport.curl(
            url, sandbox: sandbox, method: "PATCH", clientCertificate: true, body: #"{"metadata":{"resourceVersion":"\#(rv)","annotations":{"x":"y"}}}"#,
            contentType: "application/merge-patch+json")
        #expect(fresh.status == 200)
        let newRV = try JSON.parse(fresh.body)[path: ["metadata", "resourceVersion"]]?.stringValue
        #expect(newRV != rv)
        let dry = await TestSupport.curl(
            url + "?dryRun=All", sandbox: sandbox, method: "PATCH", clientCertificate: true, body: #"{"metadata":{"annotations":{"dry":"run"}}}"#,
            contentType: "application/merge-patch+json")
        #expect(dry.status == 200)
        #expect(sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")?[path: ["metadata", "annotations", "dry"]] == nil)
        let missing = await TestSupport.curl("\(sandbox.apiServerURL)/api/v1/namespaces/apim/secrets/nope", sandbox: sandbox, clientCertificate: true)
        #expect(missing.status == 404)
        #expect(
            try JSON.parse(missing.body) == [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "secrets \"nope\" not found", "reason": "NotFound",
                "details": ["name": "nope", "kind": "secrets"], "code": 404,
            ])
        let invalid = await TestSupport.curl(
            "\(sandbox.apiServerURL)/api/v1/namespaces/apim/configmaps", sandbox: sandbox, method: "POST", clientCertificate: true,
            body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#)
        #expect(invalid.status == 422)
        #expect((try? JSON.parse(invalid.body))?["reason"]?.stringValue == "Invalid")
        // Server-side apply: a second manager changing a field the first one owns gets 409 until it forces.
        let applyBase = "\(sandbox.apiServerURL)/api/v1/namespaces/apim/configmaps/applied"
        func apply(_ manager: String, _ color: String, force: Bool = false) async -> (status: Int, body: String, headers: String) {
            await TestSupport.curl(
                "\(applyBase)?fieldManager=\(manager)\(force ? "&force=true" : "")", sandbox: sandbox, method: "PATCH", clientCertificate: true,
                body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"color":"\#(color)"}}"#,
                contentType: "application/apply-patch+yaml")
        }
        #expect(await apply("first", "blue").status == 201)
        #expect(await apply("first", "navy").status == 200, "the owner may change its own field")
        let conflict = await apply("other", "green")
        #expect(conflict.status == 409)
        #expect((try? JSON.parse(conflict.body))?[path: ["details", "causes"]]?.arrayValue?.first?["field"]?.stringValue == ".data.color", "\(conflict.body)")
        #expect(sandbox.object(apiVersion: "v1", kind: "ConfigMap", namespace: "apim", name: "applied")?[path: ["data", "color"]]?.stringValue == "navy")
        #expect(await apply("other", "green", force: true).status == 200)
        #expect(sandbox.object(apiVersion: "v1", kind: "ConfigMap", namespace: "apim", name: "applied")?[path: ["data", "color"]]?.stringValue == "green")
        // Paging.
        let page = try JSON.parse(await TestSupport.curl("\(sandbox.apiServerURL)/api/v1/configmaps?limit=1", sandbox: sandbox, clientCertificate: true).body)
        #expect(page["items"]?.arrayValue?.count == 1)
        let token = try #require(page[path: ["metadata", "continue"]]?.stringValue)
        let next = try JSON.parse(
            await TestSupport.curl("\(sandbox.apiServerURL)/api/v1/configmaps?limit=100&continue=\(token)", sandbox: sandbox, clientCertificate: true).body)
        #expect((next["items"]?.arrayValue?.count ?? 0) >= 1)
        #expect(next["items"]?.arrayValue?.first != page["items"]?.arrayValue?.first)
        await sandbox.shutdown()
    }

    /// An Event created through either Events API is readable through both, converted, as on a real cluster.
    @Test func eventsAreVisibleThroughBothAPIs() async throws {
        let sandbox = try await TestSupport.start(.empty)
        try sandbox.put([
            "apiVersion": "v1", "kind": "Event", "metadata": ["name": "core", "namespace": "default"], "reason": "TokenRotated",
            "message": "rotated", "type": "Normal", "involvedObject": ["kind": "Secret", "name": "s", "namespace": "default"], "source": ["component": "c"],
        ])
        try sandbox.put([
            "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "new", "namespace": "default"], "reason": "TokenRotationFailed",
            "note": "failed", "type": "Warning", "regarding": ["kind": "Secret", "name": "s", "namespace": "default"], "reportingController": "c",
            "reportingInstance": "c-1", "action": "Rotate", "eventTime": "2026-11-23T11:30:00.000000Z",
        ])
        let core = try JSON.parse(
            await TestSupport.curl("\(sandbox.apiServerURL)/api/v1/namespaces/default/events", sandbox: sandbox, clientCertificate: true).body)
        let coreItems = core["items"]?.arrayValue ?? []
        #expect(coreItems.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["core", "new"])
        #expect(coreItems.last?["message"]?.stringValue == "failed" && coreItems.last?[path: ["involvedObject", "name"]]?.stringValue == "s")
        #expect(coreItems.last?["reportingComponent"]?.stringValue == "c")
        let v1 = try JSON.parse(
            await TestSupport.curl("\(sandbox.apiServerURL)/apis/events.k8s.io/v1/namespaces/default/events/core", sandbox: sandbox, clientCertificate: true)
                .body)
        #expect(
            v1["apiVersion"]?.stringValue == "events.k8s.io/v1" && v1["note"]?.stringValue == "rotated"
                && v1[path: ["regarding", "kind"]]?.stringValue == "Secret")
        #expect(v1["message"] == nil && v1["reportingController"]?.stringValue == "c")
        let selected = try JSON.parse(
            await TestSupport.curl(
                "\(sandbox.apiServerURL)/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Ds,reason%3DTokenRotationFailed", sandbox: sandbox,
                clientCertificate: true
            ).body)
        #expect(selected["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["new"])
        await sandbox.shutdown()
    }

    /// Correctness of a 10,000-object list; its speed is measured by `scripts/sandbox-benchmark`, not asserted here.
    @Test func listingTenThousandObjects() async throws {
        let sandbox = try await TestSupport.start(.many) {
            $0.gateways = 10
            $0.namespaces = 5
            $0.noiseObjects = 10_000
        }
        let start = Date()
        let r = await TestSupport.curl("\(sandbox.apiServerURL)/api/v1/configmaps?labelSelector=noise%3Dtrue", sandbox: sandbox, clientCertificate: true)
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.status == 200)
        #expect(try JSON.parse(r.body)["items"]?.arrayValue?.count == 10_000)
        print("listing 10,000 ConfigMaps over HTTPS (curl, including process start): \(String(format: "%.3f", elapsed))s")
        // Paging with limit and continue visits every object exactly once, in order, and counts down remainingItemCount.
        var seen: [String] = []
        var token = ""
        var pages = 0
        repeat {
            let url =
                "\(sandbox.apiServerURL)/api/v1/namespaces/gw-001/configmaps?labelSelector=noise%3Dtrue&limit=700" + (token.isEmpty ? "" : "&continue=\(token)")
            let page = try JSON.parse(await TestSupport.curl(url, sandbox: sandbox, clientCertificate: true).body)
            seen += (page["items"]?.arrayValue ?? []).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            token = page[path: ["metadata", "continue"]]?.stringValue ?? ""
            if !token.isEmpty { #expect(page[path: ["metadata", "remainingItemCount"]]?.intValue == 2000 - seen.count) }
            pages += 1
        } while !token.isEmpty && pages < 10
        #expect(pages == 3)
        #expect(seen.count == 2000 && Set(seen).count == 2000 && seen == seen.sorted())
        await sandbox.shutdown()
    }
}
