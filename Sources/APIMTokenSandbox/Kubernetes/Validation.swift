import Foundation

/// The checks and defaults the real API server applies on writes (a useful subset), with 422 `Invalid` errors.
enum Validation {
    private static let subdomain = try! NSRegularExpression(pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
    private static let label = try! NSRegularExpression(pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

    private static func matches(_ re: NSRegularExpression, _ s: String) -> Bool {
        re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    /// Validates and defaults a proposed object; `old` is the stored version on updates.
    static func normalize(_ input: JSON, type: ResourceType, name: String, old: JSON?) throws -> JSON {
        var object = input
        let dns1123 = type.resource == "namespaces" || type.resource == "rolebindings" || type.resource == "roles" ? false : true
        if dns1123 {
            guard name.count <= 253, matches(subdomain, name) else {
                throw APIError.invalid(
                    type, name, field: "metadata.name", value: "\"\(name)\"",
                    detail:
                        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                )
            }
        } else if type.resource == "namespaces" {
            guard name.count <= 63, matches(label, name) else {
                throw APIError.invalid(
                    type, name, field: "metadata.name", value: "\"\(name)\"",
                    detail:
                        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
                )
            }
        }
        for (k, v) in object[path: ["metadata", "labels"]]?.objectValue ?? [:] where v.stringValue == nil {
            throw APIError.invalid(type, name, field: "metadata.labels", value: k, detail: "label values must be strings")
        }
        switch type.kind {
        case "Secret":
            var data = object["data"]?.objectValue ?? [:]
            for (k, v) in data {
                guard let s = v.stringValue, Data(base64Encoded: s) != nil else {
                    throw APIError.badRequest("Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 0 (key \(k))")
                }
            }
            for (k, v) in object["stringData"]?.objectValue ?? [:] {
                data[k] = .string(Data((v.stringValue ?? "").utf8).base64EncodedString())
            }
            object["stringData"] = nil
            if !data.isEmpty || object["data"] != nil { object["data"] = .object(data) }
            if object["type"] == nil { object["type"] = "Opaque" }
            if let old, let oldType = old["type"], object["type"] != oldType {
                throw APIError.invalid(type, name, field: "type", value: "\"\(object["type"]?.stringValue ?? "")\"", detail: "field is immutable")
            }
            // ValidateSecretUpdate: an immutable Secret keeps its data and its immutability (every violation listed).
            if let old, old["immutable"]?.boolValue == true {
                var fields: [String] = []
                if object["immutable"]?.boolValue != true { fields.append("immutable") }
                if object["data"] != old["data"] { fields.append("data") }
                if !fields.isEmpty { throw APIError.forbiddenFields(type, name, fields: fields, detail: "field is immutable when `immutable` is set") }
            }
        case "Deployment", "StatefulSet", "DaemonSet":
            guard let selector = object[path: ["spec", "selector"]], selector.objectValue != nil else {
                throw APIError.required(type, name, field: "spec.selector")
            }
            let labels = object[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
            if !LabelSelector.from(selector).matches(labels) || (selector["matchLabels"] == nil && selector["matchExpressions"] == nil) {
                throw APIError.invalid(
                    type, name, field: "spec.template.metadata.labels", value: JSON.object(labels).text, detail: "`selector` does not match template `labels`")
            }
            if (object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).isEmpty {
                throw APIError.required(type, name, field: "spec.template.spec.containers")
            }
            if let old, let oldSelector = old[path: ["spec", "selector"]], oldSelector != selector {
                throw APIError.invalid(type, name, field: "spec.selector", value: selector.text, detail: "field is immutable")
            }
            if object[path: ["spec", "replicas"]] == nil, type.kind != "DaemonSet" { object.set(["spec", "replicas"], 1) }
            if type.kind == "Deployment" {
                if object[path: ["spec", "strategy", "type"]] == nil {
                    object.set(["spec", "strategy"], ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]])
                }
                if object[path: ["spec", "progressDeadlineSeconds"]] == nil { object.set(["spec", "progressDeadlineSeconds"], 600) }
                if object[path: ["spec", "revisionHistoryLimit"]] == nil { object.set(["spec", "revisionHistoryLimit"], 10) }
            } else {
                if object[path: ["spec", "updateStrategy", "type"]] == nil {
                    object.set(
                        ["spec", "updateStrategy"],
                        type.kind == "StatefulSet"
                            ? ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]]
                            : ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]])
                }
                if type.kind == "StatefulSet", object[path: ["spec", "podManagementPolicy"]] == nil {
                    object.set(["spec", "podManagementPolicy"], "OrderedReady")
                }
            }
        case "CronJob":
            guard let schedule = object[path: ["spec", "schedule"]]?.stringValue, !schedule.isEmpty else {
                throw APIError.required(type, name, field: "spec.schedule")
            }
            if schedule.split(separator: " ").count != 5 && !schedule.hasPrefix("@") {
                throw APIError.invalid(
                    type, name, field: "spec.schedule", value: "\"\(schedule)\"",
                    detail: "Expected exactly 5 fields, found \(schedule.split(separator: " ").count): \(schedule)")
            }
            if name.count > 52 {
                throw APIError.invalid(type, name, field: "metadata.name", value: "\"\(name)\"", detail: "must be no more than 52 characters")
            }
            if object[path: ["spec", "concurrencyPolicy"]] == nil { object.set(["spec", "concurrencyPolicy"], "Allow") }
            if object[path: ["spec", "suspend"]] == nil { object.set(["spec", "suspend"], false) }
        case "Role":
            for rule in object["rules"]?.arrayValue ?? [] where (rule["verbs"]?.arrayValue ?? []).isEmpty {
                throw APIError.required(type, name, field: "rules[0].verbs")
            }
        case "RoleBinding":
            guard object[path: ["roleRef", "name"]]?.stringValue != nil else { throw APIError.required(type, name, field: "roleRef.name") }
            if let old, old["roleRef"] != object["roleRef"] {
                throw APIError.invalid(type, name, field: "roleRef", value: object["roleRef"]?.text ?? "", detail: "cannot change roleRef")
            }
        case "Pod":
            if (object[path: ["spec", "containers"]]?.arrayValue ?? []).isEmpty {
                throw APIError.required(type, name, field: "spec.containers")
            }
        default:
            break
        }
        return object
    }
}
