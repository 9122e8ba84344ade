/// Who is calling the API server.
struct UserInfo: Sendable {
    /// The user name (`system:serviceaccount:NS:NAME` for service accounts).
    var name: String
    /// The groups.
    var groups: [String]
    /// Members of `system:masters` bypass authorization, as on a real cluster.
    var isAdmin: Bool { groups.contains("system:masters") }
}

// MARK: - Authorizer

/// RBAC for namespaced Roles and RoleBindings (ClusterRoles are not simulated; only `system:masters` is
/// cluster-wide).
struct Authorizer: Sendable {
    /// Where Roles and RoleBindings live.
    let store: ObjectStore

    /// Whether `user` may do `verb` on `type` (optionally a subresource) named `name` in `namespace`.
    func allows(_ user: UserInfo, verb: String, type: ResourceType, subresource: String?, namespace: String?, name: String?) -> Bool {
        if user.isAdmin { return true }
        if type.resource == "selfsubjectaccessreviews" { return true }  // system:basic-user grants this to everyone
        guard let namespace, type.namespaced || type.resource == "namespaces" else { return false }
        let resource = subresource.map { "\(type.resource)/\($0)" } ?? type.resource
        for binding in store.list(.roleBindings, namespace: namespace).items.map(\.json) {
            guard binding[path: ["roleRef", "kind"]]?.stringValue == "Role",
                let roleName = binding[path: ["roleRef", "name"]]?.stringValue,
                (binding["subjects"]?.arrayValue ?? []).contains(where: { subjectMatches($0, user, namespace: namespace) }),
                let role = store.get(.roles, namespace: namespace, name: roleName)
            else { continue }
            for rule in role["rules"]?.arrayValue ?? [] {
                let groups = (rule["apiGroups"]?.arrayValue ?? []).compactMap(\.stringValue)
                let resources = (rule["resources"]?.arrayValue ?? []).compactMap(\.stringValue)
                let verbs = (rule["verbs"]?.arrayValue ?? []).compactMap(\.stringValue)
                let names = (rule["resourceNames"]?.arrayValue ?? []).compactMap(\.stringValue)
                guard groups.contains(type.group) || groups.contains("*"),
                    resources.contains(resource) || resources.contains("*")
                        || (subresource != nil && resources.contains("*/\(subresource!)")),
                    verbs.contains(verb) || verbs.contains("*")
                else { continue }
                if names.isEmpty { return true }
                if let name, names.contains(name) { return true }
            }
        }
        return false
    }

    private func subjectMatches(_ subject: JSON, _ user: UserInfo, namespace: String) -> Bool {
        let name = subject["name"]?.stringValue ?? ""
        switch subject["kind"]?.stringValue {
        case "ServiceAccount":
            let ns = subject["namespace"]?.stringValue ?? namespace
            return user.name == "system:serviceaccount:\(ns):\(name)"
        case "User": return user.name == name
        case "Group": return user.groups.contains(name)
        default: return false
        }
    }
}
